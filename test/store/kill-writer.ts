// Child process for the SIGKILL test: writes rows 0, 1, 2, … into the SQLite file given as the
// first argument and prints each row's number once its write() has resolved (acknowledged).
import { openSqliteStore } from '../../src/store/sqlite.ts';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: kill-writer.ts FILE');
const store = await openSqliteStore(file);
for (let i = 0; ; i++) {
  await store.write((tx) =>
    tx.insert({
      kind: 'account',
      accountId: '000000000000',
      key: String(i).padStart(6, '0'),
      body: { id: String(i), createdAt: 'now', name: 'x'.repeat(2000) },
    }),
  );
  process.stdout.write(`${i}\n`);
}
