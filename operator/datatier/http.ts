import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Reason, type ConditionResult, type ConditionType } from '../conditions.js';

/** One bounded HTTP(S) request of a data-tier probe: the answer, or the failed condition (Unreachable, ProbeTimeout, CertificateInvalid). */
export interface Call {
  readonly type: ConditionType;
  readonly method: 'GET' | 'POST';
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
  /** PEM CA bundle for https; undefined: the system roots. */
  readonly ca?: string | undefined;
  /** How messages name the target: `Odoo http://…`. */
  readonly where: string;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|EPROTO/;

export function send(call: Call): Promise<{ status: number; text: string } | ConditionResult> {
  const req = call.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const fail = (reason: Reason, message: string): ConditionResult => ({ type: call.type, status: 'False', reason, message });
  const headers = { ...call.headers, ...(call.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(call.body)) } : {}) };
  return new Promise((resolve) => {
    const r = req(call.url, { method: call.method, headers, timeout: call.timeoutMs, ...(call.ca ? { ca: call.ca } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { if (text.length < 1_000_000) text += c; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, text }); });
    });
    r.on('timeout', () => { r.destroy(); resolve(fail(Reason.ProbeTimeout, `${call.where}: no answer within ${String(call.timeoutMs)} ms`)); });
    r.on('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? '';
      resolve(TLS_CODES.test(code) ? fail(Reason.CertificateInvalid, `${call.where}: TLS verification failed (${code})`) : fail(Reason.Unreachable, `${call.where} unreachable: ${code || e.message}`));
    });
    r.end(call.body);
  });
}
