import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Registry } from 'prom-client';
import type { Decision } from './metrics-auth.js';

/**
 * `/healthz`, `/readyz` and `/metrics` over plain HTTP (in-cluster probes and Prometheus scrapes).
 * With `authorize`, `/metrics` answers only a bearer token the API server authenticates and
 * authorises (operator/metrics-auth.ts): 401 or 403 otherwise; the probes stay open to the kubelet.
 */

export interface ProbeServerOptions {
  readonly ready: () => boolean;
  readonly registry?: Registry;
  /** Decides each /metrics request from its Authorization header. @default none: /metrics is open */
  readonly authorize?: (authorization: string | undefined) => Promise<Decision>;
  /** Called when a decision could not be made (the API server failed): the scrape gets 500. */
  readonly onAuthError?: (err: unknown) => void;
  /** Serve HTTPS with this certificate and key (PEM). @default plain HTTP */
  readonly tls?: { readonly cert: string; readonly key: string };
}

function serveMetrics(options: ProbeServerOptions & { registry: Registry }, req: IncomingMessage, res: ServerResponse): void {
  const registry = options.registry;
  const send = (): void => {
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  };
  if (!options.authorize) return send();
  options.authorize(req.headers.authorization).then(
    (d) => (d.status === 200 ? send() : void res.writeHead(d.status, { 'Content-Type': 'text/plain', ...(d.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {}) }).end(`${d.reason}\n`)),
    (err: unknown) => {
      options.onAuthError?.(err);
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('cannot review the token with the API server\n');
    },
  );
}

export function probeServer(options: ProbeServerOptions): Server {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' || path === '/livez') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    } else if (path === '/readyz') {
      const ok = options.ready();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'ok' : 'caches not synced yet');
    } else if (path === '/metrics' && options.registry) {
      serveMetrics({ ...options, registry: options.registry }, req, res);
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  };
  // An https.Server is an http.Server to everything that listens and closes it.
  return options.tls ? (createTlsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, handler)) : createServer(handler);
}

/** Parses ":8080", "0.0.0.0:8080" or "127.0.0.1:0" into host and port. */
export function parseAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const host = i <= 0 ? '0.0.0.0' : addr.slice(0, i);
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`"${addr}" is not a listen address: use ":8080" or "127.0.0.1:8080"`);
  return { host, port };
}

export function listen(server: Server, addr: string): Promise<{ host: string; port: number }> {
  const { host, port } = parseAddr(addr);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({ host, port: typeof a === 'object' && a ? a.port : port });
    });
  });
}
