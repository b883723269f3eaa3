/**
 * First start: the master key (from the environment, or a 0600 key file created in the data
 * directory), and — when the store has no account — the first account with its root user's access
 * key, printed once and written to a 0600 file.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newAccessKeyId, newAccountId, newSecretAccessKey } from '../auth/ids.js';
import { SecretBox } from '../auth/secret-box.js';
import { isoSeconds } from '../policy/timestamps.js';
import { type Store, StoreError, SYSTEM_ACCOUNT } from '../store/index.js';
import type { ServerConfig } from './config.js';

/** The data directory, created 0700 when missing. */
export function ensureDataDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** The master key: BASALT_MASTER_KEY, else `<dataDir>/master.key` (created 0600 on first start). */
export function loadMasterKey(config: ServerConfig): SecretBox {
  if (config.masterKey !== undefined) return SecretBox.fromText(config.masterKey);
  const file = join(config.dataDir, 'master.key');
  if (!existsSync(file)) writeFileSync(file, `${SecretBox.generateText()}\n`, { mode: 0o600, flag: 'wx' });
  return SecretBox.fromText(readFileSync(file, 'utf8'));
}

/** What the first start created, to show the operator once. */
export interface FirstAccount {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  credentialsFile: string;
}

/**
 * Creates the first account and its root access key when the store holds no account; undefined
 * when one exists. Safe when several processes start at once on one database: one wins, the
 * others see its account.
 */
export async function bootstrapFirstAccount(
  store: Store,
  secrets: SecretBox,
  config: ServerConfig,
): Promise<FirstAccount | undefined> {
  if ((await store.count('account', SYSTEM_ACCOUNT)) > 0) return undefined;
  const accountId = config.accountId ?? newAccountId();
  const accessKeyId = config.rootAccessKeyId ?? newAccessKeyId('AKIA', accountId);
  const secretAccessKey = config.rootSecretAccessKey ?? newSecretAccessKey();
  const createdAt = isoSeconds(new Date());
  try {
    await store.write(async (tx) => {
      if ((await tx.count('account', SYSTEM_ACCOUNT)) > 0) throw new StoreError('Conflict', 'an account exists');
      await tx.insert({
        kind: 'account',
        accountId: SYSTEM_ACCOUNT,
        key: accountId,
        id: accountId,
        body: { id: accountId, createdAt, name: 'root' },
      });
      await tx.insert({
        kind: 'access-key',
        accountId,
        key: accessKeyId,
        id: accessKeyId,
        owner: '',
        body: {
          accessKeyId,
          secretCiphertext: secrets.seal(secretAccessKey, accessKeyId),
          status: 'Active',
          createdAt,
        },
      });
    });
  } catch (e) {
    if (e instanceof StoreError && e.code === 'Conflict') return undefined;
    throw e;
  }
  const credentialsFile = join(config.dataDir, 'root-credentials');
  writeFileSync(
    credentialsFile,
    `# basalt root user of account ${accountId}; shown once at first start\n` +
      `[basalt]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`,
    { mode: 0o600 },
  );
  return { accountId, accessKeyId, secretAccessKey, credentialsFile };
}
