/**
 * The "least work" peer of the gateway benchmark: what any gateway that authenticates and authorizes
 * a Converse call as Bedrock does must do, and nothing more, on the same node:http server and undici
 * pool as the minimal proxy. Per request it reads the body; verifies the SigV4 signature with basalt's
 * verifier; evaluates bench-user.ts's three policies with basalt's policy engine (compiled once, the
 * principal's keys fixed at start, the request's own keys per request); translates the Converse body
 * to an OpenAI chat request and the answer back; and writes one log line (batched per event-loop
 * turn, as basalt does). Left out, where basalt has them: the store (the access key, the user and its
 * policies are fixed here, so nothing is looked up and no policy change is ever seen), routing beyond
 * one path, validation of the body beyond what the translation reads, every other operation and model
 * format, guardrails, streaming, error mapping. It is not a product: it says how close to the proxy a
 * gateway doing this work can come on this machine, so that basalt's distance from it is what
 * basalt's own structure costs.
 *
 * argv: the upstream URL, the bench user's access key ID and secret, the pool size. Prints its port as
 * one JSON line, then one log line per request.
 */

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Pool } from 'undici';
import { parseSigV4, verifySigV4 } from '../../src/auth/sigv4/index.ts';
import { awsManagedDocument, awsManagedPolicy } from '../../src/catalog/managed-policies.ts';
import {
  type CompiledPolicy,
  ContextValues,
  compilePolicy,
  describePrincipal,
  evaluate,
  makeRequest,
  PolicyError,
} from '../../src/policy/index.ts';
import { BENCH_POLICIES, BENCH_USER_TAG } from './bench-user.ts';
import { servePeer } from './serve-peer.ts';

const [upstreamUrl = '', accessKeyId = '', secretAccessKey = '', connections = '32'] = process.argv.slice(2);
const pool = new Pool(upstreamUrl, { connections: Number(connections) });

function compiled(doc: unknown): CompiledPolicy {
  const policy = compilePolicy(doc, 'identity');
  if (policy instanceof PolicyError) throw new Error(JSON.stringify(policy.findings));
  return policy;
}
const readOnly = awsManagedPolicy('arn:aws:iam::aws:policy/AmazonBedrockReadOnly');
if (readOnly === undefined) throw new Error('AmazonBedrockReadOnly is missing from the catalog');
const policies = {
  identity: [
    ...Object.values(BENCH_POLICIES).map((statement) => compiled({ Version: '2012-10-17', Statement: [statement] })),
    compiled(awsManagedDocument(readOnly)),
  ],
};
const userArn = 'arn:aws:iam::123456789012:user/bench';
const principal = describePrincipal(userArn, undefined, 'AIDABENCHLEASTWORK00');
const principalKeys = new ContextValues();
principalKeys.set('aws:username', 'bench');
principalKeys.set('aws:userid', 'AIDABENCHLEASTWORK00');
principalKeys.set('aws:PrincipalArn', userArn);
principalKeys.set('aws:PrincipalAccount', '123456789012');
principalKeys.set('aws:PrincipalType', 'User');
principalKeys.set(`aws:PrincipalTag/${BENCH_USER_TAG.key}`, BENCH_USER_TAG.value);

// The log lines of a turn in one write, as src/server/request-log.ts does (not imported: that writer
// is tied to a pino logger, and this peer keeps to the Node and undici basics).
let pendingLog = '';
function log(line: string): void {
  if (pendingLog === '') {
    setImmediate(() => {
      const lines = pendingLog;
      pendingLog = '';
      process.stdout.write(lines);
    });
  }
  pendingLog += line;
}

function answer(res: http.ServerResponse, status: number, body: string, started: number): void {
  const bytes = Buffer.from(body);
  const requestId = randomUUID();
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'content-length': String(bytes.length),
  });
  res.end(bytes);
  log(`${JSON.stringify({ time: Date.now(), requestId, status, ms: performance.now() - started })}\n`);
}

interface ConverseBody {
  messages: { role: string; content: { text?: string }[] }[];
}
interface ChatAnswer {
  choices: { message: { content: string } }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
  const started = performance.now();
  const url = req.url ?? '/';
  const signed = {
    method: req.method ?? 'GET',
    rawPath: url,
    rawQuery: '',
    headers: req.headersDistinct,
    body,
    http2: false,
  };
  try {
    const credential = parseSigV4(signed);
    if (credential.accessKeyId !== accessKeyId) {
      answer(res, 403, '{"message":"unknown key"}', started);
      return;
    }
    verifySigV4(signed, credential, secretAccessKey);
    const now = new Date();
    const values = new ContextValues(principalKeys);
    values.set('aws:RequestedRegion', credential.region);
    values.set('aws:SourceIp', req.socket.remoteAddress ?? '');
    values.set('aws:CurrentTime', now.toISOString());
    values.set('aws:EpochTime', String(Math.floor(now.getTime() / 1000)));
    values.set('aws:SecureTransport', 'false');
    const modelId = decodeURIComponent(url.split('/')[2] ?? '');
    const request = makeRequest({
      principal,
      action: 'bedrock:InvokeModel',
      resource: `arn:aws:bedrock:${credential.region}::foundation-model/${modelId}`,
      values,
    });
    if (evaluate(request, policies, false).decision !== 'Allow') {
      answer(res, 403, '{"message":"not authorized"}', started);
      return;
    }
    const converse = JSON.parse(body.toString('utf8')) as ConverseBody;
    const chat = JSON.stringify({
      model: modelId,
      messages: converse.messages.map((m) => ({ role: m.role, content: m.content.map((c) => c.text ?? '').join('') })),
    });
    const chunks: Buffer[] = [];
    let status = 0;
    pool.dispatch(
      {
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: chat,
      },
      {
        onRequestStart() {},
        onResponseStart(_controller, statusCode: number) {
          status = statusCode;
        },
        onResponseData(_controller, chunk: Buffer) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          let a: ChatAnswer;
          try {
            if (status !== 200) throw new Error(`upstream answered ${status}`);
            a = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatAnswer;
          } catch (e) {
            answer(res, 502, JSON.stringify({ message: e instanceof Error ? e.message : String(e) }), started);
            return;
          }
          const converseAnswer = {
            output: { message: { role: 'assistant', content: [{ text: a.choices[0]?.message.content ?? '' }] } },
            stopReason: 'end_turn',
            usage: {
              inputTokens: a.usage.prompt_tokens,
              outputTokens: a.usage.completion_tokens,
              totalTokens: a.usage.total_tokens,
            },
            metrics: { latencyMs: Math.round(performance.now() - started) },
          };
          answer(res, 200, JSON.stringify(converseAnswer), started);
        },
        onResponseError(_controller, error: Error) {
          answer(res, 502, JSON.stringify({ message: error.message }), started);
        },
      },
    );
  } catch (e) {
    answer(res, 403, JSON.stringify({ message: e instanceof Error ? e.message : String(e) }), started);
  }
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => handle(req, res, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
});
servePeer(server, pool);
