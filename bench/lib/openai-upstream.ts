/**
 * The upstream of the gateway benchmark in a process of its own (so it never shares an event loop
 * with a proxy it is measured through): test/support's OpenAI-compatible server, which answers
 * `POST /v1/chat/completions` with a fixed short completion. Prints its URL as one JSON line.
 */

import { startOpenAiUpstream } from '../../test/support/upstreams.ts';

const upstream = await startOpenAiUpstream();
process.stdout.write(`${JSON.stringify({ url: upstream.url })}\n`);
process.on('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
