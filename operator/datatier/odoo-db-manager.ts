import { ConditionType, Reason, type ConditionResult } from '../conditions.js';
import { send } from './http.js';

/**
 * Live proof that Odoo's database manager is off: the database-list call the manager page and the
 * mobile apps make, `POST /web/database/list` as JSON-RPC 2.0 (odoo/odoo
 * addons/web/controllers/database.py `Database.list`, a `type='json'` route with `auth='none'`;
 * request and answer shapes from odoo/http.py `JsonRPCDispatcher.dispatch`/`handle_error`). With
 * list_db = False Odoo raises AccessDenied in odoo/service/db.py `list_dbs`, which the dispatcher
 * returns as HTTP 200 with `error.data.name = "odoo.exceptions.AccessDenied"`; with it on, `result`
 * is the list of databases. No credential is sent; database names are counted, not reported.
 */

export interface OdooProbeInput {
  /** Odoo's base URL as the registry's users reach it, e.g. http://sr-odoo.sr.svc. */
  readonly url: string;
  readonly timeoutMs: number;
  /** PEM CA bundle for an https URL; undefined: the system roots. */
  readonly ca?: string;
}

const ACCESS_DENIED = 'odoo.exceptions.AccessDenied';
const result = (ok: boolean, reason: Reason, message: string): ConditionResult => ({ type: ConditionType.OdooDatabaseManagerDisabled, status: ok ? 'True' : 'False', reason, message });

interface JsonRpcAnswer {
  readonly result?: unknown;
  readonly error?: { readonly data?: { readonly name?: unknown } };
}

/** Judges Odoo's answer to the database-list call. */
export function judgeDatabaseList(where: string, status: number, text: string): ConditionResult {
  let answer: JsonRpcAnswer | undefined;
  try {
    answer = JSON.parse(text) as JsonRpcAnswer;
  } catch {
    answer = undefined;
  }
  if (status !== 200 || !answer || typeof answer !== 'object') return result(false, Reason.NotOdoo, `${where}/web/database/list answered HTTP ${String(status)}${answer ? '' : ' without JSON-RPC'}: not an Odoo database-list endpoint (check the URL)`);
  if (Array.isArray(answer.result)) return result(false, Reason.DatabaseManagerEnabled, `${where} lists ${String(answer.result.length)} database(s) to an anonymous caller: list_db is on, so the database manager (create, drop, backup, restore) answers too; set ODOO_LIST_DB=no or run odoo with --no-database-list`);
  const name = answer.error?.data?.name;
  if (name === ACCESS_DENIED) return result(true, Reason.DatabaseManagerRefused, `${where} refuses the database-list call (${ACCESS_DENIED}): list_db is off`);
  return result(false, Reason.OdooError, `${where} answered the database-list call with an error other than AccessDenied (${typeof name === 'string' ? name : 'no error name'})`);
}

let nextId = 1;

/** Runs the probe; never throws. */
export async function probeOdooDatabaseManager(input: OdooProbeInput): Promise<ConditionResult> {
  let url: URL;
  try {
    url = new URL('/web/database/list', input.url);
  } catch {
    return result(false, Reason.NotOdoo, `"${input.url}" is not a URL`);
  }
  const id = nextId++;
  const body = JSON.stringify({ jsonrpc: '2.0', method: 'call', params: {}, id });
  const answer = await send({ type: ConditionType.OdooDatabaseManagerDisabled, method: 'POST', url, headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body, timeoutMs: input.timeoutMs, ca: input.ca, where: `Odoo ${url.origin}` });
  return 'type' in answer ? answer : judgeDatabaseList(`Odoo ${url.origin}`, answer.status, answer.text);
}
