/**
 * Access key last-used records ("GetAccessKeyLastUsed": the date, service and region of the most
 * recent use). Uses are collected in memory and written in one transaction per interval and at
 * shutdown, so the request path never waits on a write and the store revision (which drops policy
 * caches) moves at most once per interval.
 */

import type { Store } from '../store/types.js';

interface Use {
  accountId: string;
  date: string;
  service: string;
  region: string;
}

/** Collects key and role uses and writes them periodically. */
export class LastUsedRecorder {
  private pending = new Map<string, Use>();
  /** Role uses by `accountId/roleKey` ("RoleLastUsed": the date and region a role was last assumed). */
  private roles = new Map<string, { accountId: string; roleKey: string; date: string; region: string }>();
  private timer: NodeJS.Timeout | undefined;

  /** A recorder writing to this store every `intervalMs`. */
  constructor(
    private readonly store: Store,
    intervalMs: number,
  ) {
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
      this.timer.unref();
    }
  }

  /**
   * Notes one authenticated use of a key. The same use as the pending one (a key used again within
   * the second) changes nothing, and allocates nothing.
   */
  record(accessKeyId: string, accountId: string, date: string, service: string, region: string): void {
    const last = this.pending.get(accessKeyId);
    if (last?.date === date && last.service === service && last.region === region && last.accountId === accountId)
      return;
    this.pending.set(accessKeyId, { accountId, date, service, region });
  }

  /** Notes that a role was assumed (GetRole shows it as RoleLastUsed). */
  recordRole(accountId: string, roleName: string, date: string, region: string): void {
    const roleKey = roleName.toLowerCase();
    this.roles.set(`${accountId}/${roleKey}`, { accountId, roleKey, date, region });
  }

  /** Writes what was collected; keys and roles deleted meanwhile are skipped. */
  async flush(): Promise<void> {
    if (this.pending.size === 0 && this.roles.size === 0) return;
    const batch = this.pending;
    const roles = this.roles;
    this.pending = new Map();
    this.roles = new Map();
    await this.store.write(async (tx) => {
      for (const use of roles.values()) {
        const row = await tx.get('role', use.accountId, use.roleKey);
        if (row === undefined) continue;
        await tx.update({ ...row, body: { ...row.body, lastUsed: { date: use.date, region: use.region } } });
      }
      for (const [keyId, use] of batch) {
        const row = await tx.get('access-key', use.accountId, keyId);
        if (row === undefined) continue;
        await tx.update({
          ...row,
          body: { ...row.body, lastUsed: { date: use.date, service: use.service, region: use.region } },
        });
      }
    });
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.flush();
  }
}
