import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeDatabaseList, probeOdooDatabaseManager } from '../../../operator/datatier/odoo-db-manager.js';
import { freePort } from '../../support/postgres.js';
import { startOdooDatabaseListDouble, type OdooDouble } from '../../support/odoo-database-list-double.js';

describe('OdooDatabaseManagerDisabled against the Odoo /web/database/list test double', () => {
  let odoo: OdooDouble;
  let silent: Server;
  beforeAll(async () => {
    odoo = await startOdooDatabaseListDouble(['socialregistrydb', 'backup']);
    silent = createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => { silent.listen(0, '127.0.0.1', resolve); });
  });
  afterAll(async () => {
    await odoo.close();
    silent.close();
  });

  it('sends the JSON-RPC call Odoo\'s web client makes and is True when list_db is off (AccessDenied)', async () => {
    odoo.listDb = false;
    const r = await probeOdooDatabaseManager({ url: `${odoo.url}/odoo`, timeoutMs: 5000 });
    expect(r).toEqual({ type: 'OdooDatabaseManagerDisabled', status: 'True', reason: 'DatabaseManagerRefused', message: `Odoo ${odoo.url} refuses the database-list call (odoo.exceptions.AccessDenied): list_db is off` });
    const last = odoo.requests.at(-1);
    expect(last).toMatchObject({ method: 'POST', path: '/web/database/list', contentType: 'application/json', body: { jsonrpc: '2.0', method: 'call', params: {} } });
  });

  it('is False/DatabaseManagerEnabled when Odoo lists its databases, counting them without naming them', async () => {
    odoo.listDb = true;
    const r = await probeOdooDatabaseManager({ url: odoo.url, timeoutMs: 5000 });
    expect(r.status).toBe('False');
    expect(r.reason).toBe('DatabaseManagerEnabled');
    expect(r.message).toBe(`Odoo ${odoo.url} lists 2 database(s) to an anonymous caller: list_db is on, so the database manager (create, drop, backup, restore) answers too; set ODOO_LIST_DB=no or run odoo with --no-database-list`);
    expect(r.message).not.toContain('socialregistrydb');
  });

  it('tells apart nothing listening, no answer, and something that is not Odoo', async () => {
    expect((await probeOdooDatabaseManager({ url: `http://127.0.0.1:${String(await freePort())}`, timeoutMs: 2000 })).reason).toBe('Unreachable');
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    expect(await probeOdooDatabaseManager({ url: `http://127.0.0.1:${String(port)}`, timeoutMs: 300 })).toEqual({ type: 'OdooDatabaseManagerDisabled', status: 'False', reason: 'ProbeTimeout', message: `Odoo http://127.0.0.1:${String(port)}: no answer within 300 ms` });
    expect(judgeDatabaseList('Odoo http://x', 404, '<h1>Not Found</h1>').reason).toBe('NotOdoo');
    expect(judgeDatabaseList('Odoo http://x', 200, '{"jsonrpc":"2.0","id":1,"error":{"code":200,"data":{"name":"builtins.KeyError"}}}').reason).toBe('OdooError');
  });
});
