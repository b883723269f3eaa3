/**
 * Server configuration from command-line flags and BASALT_* environment variables (flags win).
 * docs/configuration.md lists every setting.
 */

/** Everything `basalt serve` needs to start. */
export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** `postgres://…` selects PostgreSQL; otherwise SQLite in dataDir. */
  databaseUrl?: string;
  /** The first account's ID when the store is empty (generated when unset). */
  accountId?: string;
  rootAccessKeyId?: string;
  rootSecretAccessKey?: string;
  /** The master key text (64 hex or base64 of 32 bytes); otherwise `<dataDir>/master.key`. */
  masterKey?: string;
  logLevel: string;
  /** The largest IAM or STS request body accepted, in bytes; larger is refused before it is read. */
  maxBodyBytes: number;
  /** The largest Bedrock request body (InvokeModel's limit: 25,000,000 bytes, Amazon Bedrock API Reference). */
  maxModelBodyBytes: number;
  /**
   * The most request-body bytes held at once by requests whose bodies are still being read, counted
   * as they arrive: a body that would go past it is refused (ServiceUnavailable, 503).
   */
  maxReceivingBodyBytes: number;
  /** How often access key last-used times are written (ms). */
  lastUsedFlushMs: number;
  /**
   * How long a connection may sit idle, with no request in progress, before the server closes it
   * (ms): HTTP/1.1 keep-alive, and HTTP/2 sessions with no open stream.
   */
  idleTimeoutMs: number;
  /** The model provider configuration file (YAML or JSON); every model runs on `echo` without one. */
  providerConfig?: string;
}

/** Problems found in the configuration, worded for the operator. */
export class ConfigError extends Error {}

/** Builds the configuration from flags and an environment; throws ConfigError naming the bad setting. */
export function readConfig(flags: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): ServerConfig {
  const pick = (flag: string, name: string): string | undefined => flags.get(flag) ?? nonEmpty(env[name]);
  const portText = pick('port', 'BASALT_PORT') ?? '8700';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigError(
      `port must be a number from 0 to 65535, got ${JSON.stringify(portText)} (--port or BASALT_PORT)`,
    );
  }
  const accountId = pick('account-id', 'BASALT_ACCOUNT_ID');
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    throw new ConfigError(`BASALT_ACCOUNT_ID must be 12 digits, got ${JSON.stringify(accountId)}`);
  }
  const rootAccessKeyId = nonEmpty(env.BASALT_ROOT_ACCESS_KEY_ID);
  const rootSecretAccessKey = nonEmpty(env.BASALT_ROOT_SECRET_ACCESS_KEY);
  if ((rootAccessKeyId === undefined) !== (rootSecretAccessKey === undefined)) {
    throw new ConfigError('set both BASALT_ROOT_ACCESS_KEY_ID and BASALT_ROOT_SECRET_ACCESS_KEY, or neither');
  }
  if (rootAccessKeyId !== undefined && !/^[A-Z0-9]{16,128}$/.test(rootAccessKeyId)) {
    throw new ConfigError('BASALT_ROOT_ACCESS_KEY_ID must be 16 to 128 upper-case letters and digits (like AKIA…)');
  }
  const databaseUrl = pick('database-url', 'BASALT_DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('BASALT_DATABASE_URL must start with postgres:// or postgresql://');
  }
  const masterKey = nonEmpty(env.BASALT_MASTER_KEY);
  const idleText = nonEmpty(env.BASALT_IDLE_TIMEOUT_MS) ?? '65000';
  if (!/^[1-9]\d{0,8}$/.test(idleText)) {
    throw new ConfigError(
      `BASALT_IDLE_TIMEOUT_MS must be a positive number of milliseconds, got ${JSON.stringify(idleText)}`,
    );
  }
  const providerConfig = pick('config', 'BASALT_CONFIG');
  return {
    host: pick('host', 'BASALT_HOST') ?? '127.0.0.1',
    port,
    dataDir: pick('data-dir', 'BASALT_DATA_DIR') ?? '.basalt',
    logLevel: pick('log-level', 'BASALT_LOG_LEVEL') ?? 'info',
    maxBodyBytes: 1024 * 1024,
    maxModelBodyBytes: 25_000_000,
    maxReceivingBodyBytes: 100_000_000,
    lastUsedFlushMs: Number(nonEmpty(env.BASALT_LAST_USED_FLUSH_MS) ?? '30000'),
    idleTimeoutMs: Number(idleText),
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...(accountId === undefined ? {} : { accountId }),
    ...(rootAccessKeyId === undefined ? {} : { rootAccessKeyId }),
    ...(rootSecretAccessKey === undefined ? {} : { rootSecretAccessKey }),
    ...(masterKey === undefined ? {} : { masterKey }),
    ...(providerConfig === undefined ? {} : { providerConfig }),
  };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
