import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pki } from './certs.js';

export interface ProbeResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** GET `/readyz` on the API server as the admin user. Never throws. */
export async function probeApiserver(server: string, pki: Pki, timeoutMs = 2_000): Promise<ProbeResult> {
  const tls = { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) };
  return new Promise((resolve) => {
    const req = httpsRequest(`${server}/readyz`, { ...tls, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ ok: res.statusCode === 200, detail: `HTTP ${String(res.statusCode)} ${body.trim().slice(-500)}` }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ ok: false, detail: err.message }));
    req.end();
  });
}

/** GET `/health` on etcd's client URL. Never throws. */
export async function probeEtcd(port: number, timeoutMs = 2_000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port, path: '/health', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ ok: res.statusCode === 200 && body.includes('"true"'), detail: body.trim() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ ok: false, detail: err.message }));
    req.end();
  });
}

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs: number;
  readonly probe: () => Promise<ProbeResult>;
  /** Checked between probes: a process that died will never become ready. */
  readonly alive: () => boolean;
}

/** Polls `probe` until it succeeds; fails early when the process died, or after the timeout. */
export async function waitUntilReady(options: WaitOptions): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  let last: ProbeResult = { ok: false, detail: 'not probed yet' };
  while (performance.now() < deadline) {
    last = await options.probe();
    if (last.ok) return;
    if (!options.alive()) throw new Error(`${options.what} exited during startup (last probe: ${last.detail})`);
    await sleep(250);
  }
  throw new Error(`${options.what} not ready after ${String(options.timeoutMs / 1000)}s (last probe: ${last.detail})`);
}
