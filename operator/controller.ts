import type { Logger } from 'pino';
import type { KubeAdapter } from './kube/adapter.js';
import { CONTROLLER, forgetRegistryDeployment, type OperatorMetrics } from './metrics.js';
import { WorkQueue } from './queue.js';
import { ownerKeyOf, reconcile, type ReconcileDeps, type ReconcileResult } from './reconcile.js';

/**
 * Wires watches → queue → workers. Level-triggered: an event only names a key; the worker reads the
 * current state. A failed reconcile is retried with backoff; an invalid spec is not retried until its
 * generation changes; a periodic resync re-runs every key (key-manager probes, Secret ages).
 */

export interface ControllerOptions {
  readonly adapter: KubeAdapter;
  readonly deps: ReconcileDeps;
  readonly metrics: OperatorMetrics;
  readonly log: Logger;
  /** @default 4 */
  readonly workers?: number;
  /** Re-enqueue every RegistryDeployment this often. @default 300_000 */
  readonly resyncMs?: number;
  readonly queue?: ConstructorParameters<typeof WorkQueue>[0];
  /** Called after every reconcile (tests and benchmarks wait on it). */
  readonly onReconciled?: (key: string, result: ReconcileResult | { readonly outcome: 'error'; readonly error: unknown }) => void;
}

export class Controller {
  readonly queue: WorkQueue;
  private readonly terminal = new Map<string, number | undefined>();
  private readonly abort = new AbortController();
  private watches: Promise<void> | undefined;
  private workers: Promise<void>[] = [];
  private resync: NodeJS.Timeout | undefined;

  constructor(private readonly options: ControllerOptions) {
    const m = options.metrics;
    this.queue = new WorkQueue({
      ...options.queue,
      onAdd: () => m.workqueueAdds.inc({ name: CONTROLLER }),
      onRetry: () => m.workqueueRetries.inc({ name: CONTROLLER }),
      onDepth: (d) => m.workqueueDepth.set({ name: CONTROLLER }, d),
    });
    m.workqueueDepth.set({ name: CONTROLLER }, 0);
  }

  /** True once the RegistryDeployment caches have listed. */
  synced(): boolean {
    return this.options.adapter.registriesSynced();
  }

  start(): void {
    const { adapter, log } = this.options;
    this.watches = adapter.run(this.abort.signal, {
      onRegistry: (ns, name, generation, deleted) => {
        const key = `${ns}/${name}`;
        if (deleted) this.terminal.delete(key);
        else if (this.terminal.has(key) && this.terminal.get(key) === generation) return;
        this.queue.add(key);
      },
      onOwned: (owner) => {
        const key = this.keyForOwner(owner);
        if (key) this.queue.add(key);
      },
      onLifecycle: (what, l) => {
        if (l.kind === 'error') log.warn({ watch: what, attempt: l.attempt, retryInMs: l.retryInMs, err: l.error instanceof Error ? l.error.message : String(l.error) }, 'watch failed; restarting');
        else if (l.kind === 'listed') log.debug({ watch: what, count: l.count }, 'listed');
      },
    });
    const workers = this.options.workers ?? 4;
    for (let i = 0; i < workers; i++) this.workers.push(this.work());
    const resyncMs = this.options.resyncMs ?? 300_000;
    this.resync = setInterval(() => {
      for (const key of adapter.registryKeys()) if (!this.terminal.has(key)) this.queue.add(key);
    }, resyncMs);
    this.resync.unref();
  }

  private keyForOwner(owner: string): string | undefined {
    for (const key of this.options.adapter.registryKeys()) {
      const [ns = '', name = ''] = key.split('/');
      if (ownerKeyOf(ns, name) === owner) return key;
    }
    return undefined;
  }

  private async work(): Promise<void> {
    const { deps, metrics, log } = this.options;
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const [ns = '', name = ''] = key.split('/');
      const end = metrics.reconcileTime.startTimer({ controller: CONTROLLER });
      try {
        const result = await reconcile(deps, ns, name);
        this.queue.forget(key);
        if (result.outcome === 'gone') forgetRegistryDeployment(metrics, ns, name);
        if (result.outcome === 'terminal') this.terminal.set(key, result.generation);
        else this.terminal.delete(key);
        if (result.outcome === 'done' && result.requeueAfterMs !== undefined) {
          this.queue.addAfter(key, result.requeueAfterMs);
          metrics.reconcileTotal.inc({ controller: CONTROLLER, result: 'requeue_after' });
        } else {
          metrics.reconcileTotal.inc({ controller: CONTROLLER, result: 'success' });
        }
        this.options.onReconciled?.(key, result);
      } catch (err) {
        metrics.reconcileTotal.inc({ controller: CONTROLLER, result: 'error' });
        metrics.reconcileErrors.inc({ controller: CONTROLLER });
        log.error({ rd: key, err: err instanceof Error ? err.message : String(err), retries: this.queue.retries(key) }, 'reconcile failed; retrying with backoff');
        this.queue.addRateLimited(key);
        this.options.onReconciled?.(key, { outcome: 'error', error: err });
      } finally {
        end();
        this.queue.done(key);
      }
    }
  }

  /** Stops taking work, waits for reconciles in flight (bounded by `timeoutMs`), stops the watches. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.resync) clearInterval(this.resync);
    this.queue.shutdown();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue.drain(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    if (timer) clearTimeout(timer);
    this.abort.abort();
    await Promise.race([Promise.allSettled([this.watches, ...this.workers]), new Promise<void>((r) => setTimeout(r, 2000).unref())]);
  }
}
