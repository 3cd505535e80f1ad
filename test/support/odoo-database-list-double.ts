/**
 * TEST DOUBLE of Odoo's `/web/database/list` (Odoo itself is not installable here). It answers the
 * way Odoo 17 does, taken from its source: the route is `type='json'`, `auth='none'`
 * (odoo/odoo addons/web/controllers/database.py `Database.list`); the JSON-RPC 2.0 envelope and the
 * error shape (HTTP 200, `error: {code: 200, message: "Odoo Server Error", data: {name, message, …}}`)
 * are odoo/http.py `JsonRPCDispatcher.dispatch`/`handle_error`/`_response`; list_db = False raises
 * `odoo.exceptions.AccessDenied` in odoo/service/db.py `list_dbs`. A request that is not JSON-RPC
 * gets 400 "Invalid JSON data", as the dispatcher answers. Only what the probe exercises is modelled.
 */
import { createServer, type Server } from 'node:http';

export interface OdooDouble {
  readonly url: string;
  /** list_db as odoo.conf would set it. */
  listDb: boolean;
  /** Requests seen (method, path, content type, parsed body). */
  readonly requests: { method: string; path: string; contentType: string; body: unknown }[];
  close(): Promise<void>;
}

export async function startOdooDatabaseListDouble(databases: readonly string[] = ['socialregistrydb']): Promise<OdooDouble> {
  const requests: OdooDouble['requests'] = [];
  const state = { listDb: false };
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { text += c; });
    req.on('end', () => {
      let body: unknown;
      try { body = JSON.parse(text); } catch { body = undefined; }
      requests.push({ method: req.method ?? '', path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
      const rpc = body as { jsonrpc?: unknown; id?: unknown; params?: unknown } | undefined;
      if (req.url !== '/web/database/list') return void res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>');
      if (req.method !== 'POST' || !(req.headers['content-type'] ?? '').startsWith('application/json') || !rpc || typeof rpc !== 'object') return void res.writeHead(400).end('Invalid JSON data');
      const answer = state.listDb
        ? { jsonrpc: '2.0', id: rpc.id ?? null, result: [...databases] }
        : { jsonrpc: '2.0', id: rpc.id ?? null, error: { code: 200, message: 'Odoo Server Error', data: { name: 'odoo.exceptions.AccessDenied', debug: 'Traceback (most recent call last): … odoo.exceptions.AccessDenied: Access Denied', message: 'Access Denied', arguments: ['Access Denied'], context: {} } } };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    get listDb() { return state.listDb; },
    set listDb(v: boolean) { state.listDb = v; },
    requests,
    close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }),
  };
}
