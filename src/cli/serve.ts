/**
 * `basalt serve`: runs the server until SIGTERM or SIGINT, then shuts down gracefully. On first
 * start it prints the root user's credentials once and the `aws` commands to try.
 */

import { ProviderConfigError } from '../providers/config.js';
import { ConfigError, readConfig } from '../server/config.js';
import { startServer } from '../server/index.js';
import { readArgs } from './args.js';

const FLAGS = ['host', 'port', 'data-dir', 'database-url', 'account-id', 'log-level', 'config'];

/** Runs `basalt serve`; resolves to the exit code once the server has stopped. */
export async function serve(argv: string[]): Promise<number> {
  const args = readArgs(argv, FLAGS);
  if (args.error !== undefined) {
    process.stderr.write(`basalt serve: ${args.error}; options: ${FLAGS.map((f) => `--${f}`).join(' ')}\n`);
    return 2;
  }
  let config: ReturnType<typeof readConfig>;
  try {
    config = readConfig(args.flags, process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`basalt serve: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config);
  } catch (e) {
    if (e instanceof ProviderConfigError) {
      process.stderr.write(`basalt serve: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const first = server.firstAccount;
  if (first !== undefined) {
    process.stderr.write(
      `\nbasalt created account ${first.accountId} and its root user's access key (shown once; also in ${first.credentialsFile}, mode 0600):\n\n` +
        `  export AWS_ACCESS_KEY_ID=${first.accessKeyId}\n` +
        `  export AWS_SECRET_ACCESS_KEY=${first.secretAccessKey}\n` +
        `  export AWS_DEFAULT_REGION=us-east-1\n\n` +
        `Try:\n` +
        `  aws --endpoint-url ${server.url} sts get-caller-identity\n` +
        `  aws --endpoint-url ${server.url} iam create-user --user-name alice\n` +
        `  aws --endpoint-url ${server.url} iam list-users\n` +
        `  aws --endpoint-url ${server.url} bedrock list-foundation-models --by-provider Anthropic\n` +
        `  aws --endpoint-url ${server.url} bedrock-runtime converse --model-id anthropic.claude-3-haiku-20240307-v1:0 \\\n` +
        `      --messages '[{"role":"user","content":[{"text":"hello"}]}]'\n\n`,
    );
  }
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await server.close();
  return 0;
}
