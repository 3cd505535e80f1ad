import type { KubeConfig } from '@kubernetes/client-node';
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { KubeObject } from '../charts-src/kube.js';
import type { RegistrySpec } from '../charts-src/model/index.js';
import { synthesize as synthesizeSpec } from '../charts-src/synthesize.js';
import { guardObjects } from '../policies/guard/generate.js';
import type { RandomBytes } from '../charts-src/wireguard/keys.js';
import type { ConditionResult } from './conditions.js';
import { auditCondition } from './audit.js';
import { Controller, type ControllerOptions } from './controller.js';
import { AppliedMemo } from './diff.js';
import { probeAttachments } from './datatier/attachments.js';
import { probeDatabaseTls } from './datatier/database-tls.js';
import { probeOdooDatabaseManager } from './datatier/odoo-db-manager.js';
import { probeKeyManager } from './keymanager/probe.js';
import { OWNED_KINDS, type KindInfo } from './kinds.js';
import { KubeAdapter } from './kube/adapter.js';
import { RestClient, type RequestRecord } from './kube/rest.js';
import { LeaderElector } from './leader.js';
import { createLogger } from './log.js';
import { createMetrics, type OperatorMetrics } from './metrics.js';
import { MetricsAuthorizer } from './metrics-auth.js';
import type { ClusterPort } from './port.js';
import type { Owner } from './reconcile.js';
import { listen, probeServer } from './server.js';

/**
 * Starts the operator in this process: watches, queue, workers, probe and metrics servers, and
 * (optionally) leader election. `ward operator` and the integration tests both use it.
 */

export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Watch RegistryDeployments only in these namespaces. @default all */
  readonly namespaces?: readonly string[];
  /** e.g. ":8080"; undefined: no metrics server. */
  readonly metricsAddr?: string;
  /**
   * Serve /metrics only to bearer tokens the API server authenticates (TokenReview) and authorises
   * for `get /metrics` (SubjectAccessReview). false: open to anyone who reaches the port.
   * @default true
   */
  readonly metricsAuth?: boolean;
  /** Serve /metrics over HTTPS with this certificate and key (PEM; `--metrics-cert-dir`). @default plain HTTP */
  readonly metricsTls?: { readonly cert: string; readonly key: string };
  /**
   * Reads the certificate and key again (cert-manager renews them in the mounted Secret); a changed
   * pair is used for new connections, a failed read keeps the old one.
   * @default none: the pair is read once
   */
  readonly reloadMetricsTls?: () => Promise<{ readonly cert: string; readonly key: string }>;
  /** How often `reloadMetricsTls` runs. @default 60_000 */
  readonly metricsTlsReloadMs?: number;
  /** e.g. ":8081"; undefined: no health server. */
  readonly healthAddr?: string;
  readonly leaderElect?: boolean;
  /** Namespace of the leader Lease. @default 'ward-system' */
  readonly leaderNamespace?: string;
  /** @default hostname_pid */
  readonly identity?: string;
  readonly log?: Logger;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  readonly randomBytes?: RandomBytes;
  /** @default 300_000 */
  readonly resyncMs?: number;
  /** Restart every watch from a fresh list this often. @default 600_000 */
  readonly relistMs?: number;
  /** @default 4 */
  readonly workers?: number;
  /** Live key-manager probes. @default true */
  readonly probe?: boolean;
  /** AuditPassed: the `ward check` strict rules over the live children. false: no AuditPassed. @default auditCondition */
  readonly audit?: ((objects: readonly KubeObject[], spec: RegistrySpec) => ConditionResult) | false;
  readonly synthesize?: (spec: RegistrySpec, options: { owner: Owner }) => KubeObject[];
  readonly kinds?: readonly KindInfo[];
  readonly onRequest?: (r: RequestRecord) => void;
  readonly onReconciled?: ControllerOptions['onReconciled'];
  /** Test seam: wraps the cluster port the reconciler writes through (e.g. to freeze mid-reconcile). */
  readonly wrapPort?: (port: ClusterPort) => ClusterPort;
  readonly missingCrdRetryMs?: number;
  /** Requeue while a declared Secret fails its check (see ReconcileDeps.secretsRetryMs). @default 60000 */
  readonly secretsRetryMs?: number;
  /** Leader-election timings (tests shorten them). */
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface OperatorHandle {
  readonly metrics: OperatorMetrics;
  readonly controller: Controller;
  readonly ready: () => boolean;
  /** Resolves when the operator stopped: 'stopped' (stop()) or 'lost' (leadership lost). */
  readonly done: Promise<'stopped' | 'lost'>;
  readonly healthPort?: number;
  readonly metricsPort?: number;
  /** Stops taking work, drains, releases the Lease, closes the servers. */
  stop(timeoutMs?: number): Promise<void>;
}

/** The object without its undefined properties (exactOptionalPropertyTypes-friendly spreads). */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** What the operator applies: the synthesised hardening and, with spec.guard, ward guard's admission policies. */
export function synthesizeWithGuard(spec: RegistrySpec, options: { owner: Owner }): KubeObject[] {
  return [...synthesizeSpec(spec, options), ...(spec.guard === undefined ? [] : guardObjects(spec, { owner: options.owner }))];
}

interface Parts {
  readonly log: Logger;
  readonly clock: () => Date;
  readonly metrics: OperatorMetrics;
  readonly rest: RestClient;
  readonly identity: string;
}

function buildController(options: OperatorOptions, parts: Parts): Controller {
  const { log, clock, metrics, rest, identity } = parts;
  const kinds = options.kinds ?? OWNED_KINDS;
  const adapter = new KubeAdapter(rest, { ...defined({ namespaces: options.namespaces, relistMs: options.relistMs }), clock, instance: identity }, kinds);
  return new Controller({
    adapter, metrics, log,
    ...defined({ workers: options.workers, resyncMs: options.resyncMs, onReconciled: options.onReconciled }),
    deps: {
      port: options.wrapPort ? options.wrapPort(adapter) : adapter,
      kinds,
      synthesize: options.synthesize ?? synthesizeWithGuard,
      memo: new AppliedMemo(),
      onDriftRepaired: (obj) => metrics.driftRepairs.inc({ kind: obj.kind }),
      onConditions: (rd, conditions) => {
        for (const c of conditions) metrics.conditions.set({ namespace: rd.metadata.namespace, name: rd.metadata.name, type: c.type }, c.status === 'True' ? 1 : 0);
      },
      clock,
      log,
      probeCache: new Map(),
      written: new Map(),
      ...(options.probe === false ? {} : { probe: probeKeyManager, dataTierProbes: { database: probeDatabaseTls, odoo: probeOdooDatabaseManager, attachments: probeAttachments } }),
      ...(options.audit === false ? {} : { audit: options.audit ?? ((objects, spec) => auditCondition(objects, spec, clock())) }),
      ...defined({ randomBytes: options.randomBytes, missingCrdRetryMs: options.missingCrdRetryMs, secretsRetryMs: options.secretsRetryMs }),
    },
  });
}

/** Swaps in a renewed certificate (new connections use it); stops with the server. */
function reloadTls(server: Server, first: { cert: string; key: string }, load: NonNullable<OperatorOptions['reloadMetricsTls']>, everyMs: number, log: Logger): void {
  let current = first;
  const timer = setInterval(() => {
    // A pair caught mid-write (key renewed, certificate not yet) does not load: the old one stays, the next tick retries.
    load().then((next) => {
      if (next.cert === current.cert && next.key === current.key) return;
      (server as unknown as HttpsServer).setSecureContext({ cert: next.cert, key: next.key });
      current = next;
      log.info('metrics TLS certificate reloaded');
    }).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'reloading the metrics TLS certificate failed; keeping the current one'));
  }, everyMs);
  timer.unref();
  server.once('close', () => clearInterval(timer));
}

async function startServers(options: OperatorOptions, ready: () => boolean, parts: Parts): Promise<{ servers: Server[]; healthPort?: number; metricsPort?: number }> {
  const { metrics, rest, clock, log } = parts;
  const servers: Server[] = [];
  const out: { healthPort?: number; metricsPort?: number } = {};
  const authorizer = options.metricsAuth === false ? undefined : new MetricsAuthorizer(rest, clock);
  const auth = authorizer ? { authorize: (h: string | undefined) => authorizer.authorize(h), onAuthError: (err: unknown) => log.warn({ err: (err as Error).message }, 'reviewing a /metrics token failed') } : {};
  if (options.healthAddr !== undefined) {
    const s = probeServer({ ready, ...(options.metricsAddr === undefined ? { registry: metrics.registry, ...auth } : {}) });
    out.healthPort = (await listen(s, options.healthAddr)).port;
    servers.push(s);
  }
  if (options.metricsAddr !== undefined) {
    const s = probeServer({ ready, registry: metrics.registry, ...auth, ...(options.metricsTls ? { tls: options.metricsTls } : {}) });
    if (options.metricsTls && options.reloadMetricsTls) reloadTls(s, options.metricsTls, options.reloadMetricsTls, options.metricsTlsReloadMs ?? 60_000, log);
    out.metricsPort = (await listen(s, options.metricsAddr)).port;
    servers.push(s);
  }
  return { servers, ...out };
}

const LEADER_LEASE = 'ward-operator-leader';

function makeElector(options: OperatorOptions, parts: Parts): LeaderElector | undefined {
  if (!options.leaderElect) return undefined;
  return new LeaderElector(parts.rest, {
    namespace: options.leaderNamespace ?? 'ward-system', identity: parts.identity, clock: parts.clock, name: LEADER_LEASE,
    ...defined({ leaseDurationSeconds: options.leaseDurationSeconds, renewDeadlineMs: options.renewDeadlineMs, retryPeriodMs: options.retryPeriodMs }),
  });
}

/** Leads (when electing), runs the controller, and resolves when stopped or leadership is lost. */
async function lead(controller: Controller, elector: LeaderElector | undefined, signal: AbortSignal, parts: Parts): Promise<'stopped' | 'lost'> {
  const { log, metrics, identity } = parts;
  if (elector) {
    log.info({ identity, lease: elector.name }, 'waiting for leadership');
    if (!(await elector.acquire(signal))) return 'stopped';
    metrics.leaderStatus.set({ name: LEADER_LEASE }, 1);
    log.info({ identity }, 'became leader');
  }
  controller.start();
  log.info('operator started');
  if (!elector) {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    return 'stopped';
  }
  if ((await elector.hold(signal)) === 'stopped') return 'stopped';
  metrics.leaderStatus.set({ name: LEADER_LEASE }, 0);
  log.error({ identity }, 'leadership lost; stopping');
  await controller.stop();
  return 'lost';
}

export async function runOperator(options: OperatorOptions): Promise<OperatorHandle> {
  const log = options.log ?? createLogger();
  const clock = options.clock ?? (() => new Date());
  const metrics = createMetrics();
  const server = options.kubeConfig.getCurrentCluster()?.server ?? '';
  const host = server ? new URL(server).host : '';
  const rest = new RestClient(options.kubeConfig, {
    onRequest: (r) => {
      metrics.restRequests.inc({ code: String(r.status), method: r.method, host });
      options.onRequest?.(r);
    },
  });
  const parts: Parts = { log, clock, metrics, rest, identity: options.identity ?? `${hostname()}_${String(process.pid)}` };
  const controller = buildController(options, parts);
  const elector = makeElector(options, parts);
  // A standby (waiting for the Lease) is ready: it serves nothing until it leads, and a rollout of
  // several replicas must not wait for it. The leader is ready once its caches have listed.
  const ready = (): boolean => (elector && !elector.isLeader ? true : controller.synced());
  const { servers, ...ports } = await startServers(options, ready, parts);
  const stopSignal = new AbortController();
  metrics.leaderStatus.set({ name: LEADER_LEASE }, 0);
  const done = lead(controller, elector, stopSignal.signal, parts);

  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs = 20_000): Promise<void> => {
    stopping ??= (async () => {
      log.info('stopping: draining the queue');
      stopSignal.abort();
      await controller.stop(timeoutMs);
      await done;
      await elector?.release().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'releasing the lease failed'));
      metrics.leaderStatus.set({ name: LEADER_LEASE }, 0);
      await Promise.all(servers.map((s) => new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      })));
      rest.close();
      log.info('stopped');
    })();
    return stopping;
  };
  return { metrics, controller, ready, done, stop, ...ports };
}
