import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candidate } from '../test-support/candidates.js';
import { openTestService } from '../test-support/service.js';
import { testBackends } from '../test-support/database.js';
import { startServer } from './server.js';

// a request held in flight needs a second connection to hold a lock: the server backend only
describe.skipIf(!testBackends().includes('server'))('the listening service on the server backend', () => {
  it('finishes a request in flight when told to stop, and takes no new connection meanwhile', async () => {
    const service = await openTestService('server');
    const dir = await mkdtemp(join(tmpdir(), 'zhiwei-server-'));
    const server = await startServer({ db: service.db, evidenceDir: join(dir, 'evidence'), host: '127.0.0.1', port: 0 }, { logger: false });
    try {
      const id = (await service.detect('2024-06-01', [candidate('a', 'new_building', [10, 10, 20, 20])])).get('a')!;
      const lock = await service.db.knex.transaction();
      await lock('cases').where({ id }).forUpdate().first('id');
      const inFlight = fetch(`${server.address}/api/v1/cases/${id}/triage`, { method: 'POST', headers: { ...service.auth.reviewer, 'content-type': 'application/json' }, body: '{}' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stopping = server.stop();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(fetch(`${server.address}/healthz`)).rejects.toThrow();
      await lock.commit();
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect((await response.json()).case.state).toBe('triaged');
      await stopping;
      await server.stopped;
    } finally {
      await server.stop();
      await service.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
