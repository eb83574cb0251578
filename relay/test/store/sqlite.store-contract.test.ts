import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteStore } from '../../src/adapters/store/sqlite.store.ts';
import { storeContract } from './store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'relay-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract({
  name: 'SqliteStore',
  fresh: () => {
    const file = join(dir, `contract-${++n}.db`);
    return Promise.resolve(() => Promise.resolve(new SqliteStore(file)));
  }
});
