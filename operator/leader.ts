import { setTimeout as sleep } from 'node:timers/promises';
import { isConflict, isNotFound, type RestClient } from './kube/rest.js';

/**
 * Lease-based leader election (coordination.k8s.io/v1), with controller-runtime's timings: 15 s
 * lease, 10 s renew deadline, 2 s retry. The lease is released on shutdown so a successor takes
 * over at once.
 */

export interface LeaderOptions {
  readonly namespace: string;
  /** @default 'ward-operator-leader' */
  readonly name?: string;
  readonly identity: string;
  /** @default 15 */
  readonly leaseDurationSeconds?: number;
  /** @default 10_000 */
  readonly renewDeadlineMs?: number;
  /** @default 2_000 */
  readonly retryPeriodMs?: number;
  readonly clock: () => Date;
}

export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string; leaseTransitions?: number };
}

/** RFC 3339 with microseconds, as metav1.MicroTime expects. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class LeaderElector {
  private leading = false;

  constructor(
    private readonly rest: RestClient,
    private readonly options: LeaderOptions,
  ) {}

  get name(): string {
    return this.options.name ?? 'ward-operator-leader';
  }

  get isLeader(): boolean {
    return this.leading;
  }

  private path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases/${encodeURIComponent(this.name)}`;
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.rest.get<Lease>(this.path());
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Runs a create/update; a 409 means another instance won the race. */
  private async write(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  private create(now: Date, duration: number): Promise<boolean> {
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.options.namespace },
      spec: { holderIdentity: this.options.identity, leaseDurationSeconds: duration, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
    };
    return this.write(() => this.rest.post(`/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases`, body));
  }

  /** True when another holder's lease is still valid at `now`. */
  static heldByOther(lease: Lease, identity: string, now: Date, duration: number): boolean {
    const holder = lease.spec.holderIdentity ?? '';
    const renewed = lease.spec.renewTime ? Date.parse(lease.spec.renewTime) : 0;
    const expired = renewed + (lease.spec.leaseDurationSeconds ?? duration) * 1000 < now.getTime();
    return holder !== '' && holder !== identity && !expired;
  }

  /** One attempt to acquire or renew. True when this instance holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.options.clock();
    const duration = this.options.leaseDurationSeconds ?? 15;
    const lease = await this.read();
    if (!lease) return this.create(now, duration);
    if (LeaderElector.heldByOther(lease, this.options.identity, now, duration)) return false;
    const mine = lease.spec.holderIdentity === this.options.identity;
    const spec = {
      ...lease.spec,
      holderIdentity: this.options.identity,
      leaseDurationSeconds: duration,
      renewTime: microTime(now),
      ...(mine ? {} : { acquireTime: microTime(now), leaseTransitions: (lease.spec.leaseTransitions ?? 0) + 1 }),
    };
    return this.write(() => this.rest.json('PUT', this.path(), {}, { ...lease, spec }));
  }

  /** Blocks until this instance leads (or `signal` aborts: resolves false). */
  async acquire(signal: AbortSignal): Promise<boolean> {
    const retry = this.options.retryPeriodMs ?? 2000;
    while (!signal.aborted) {
      try {
        if (await this.tryAcquireOrRenew()) {
          this.leading = true;
          return true;
        }
      } catch {
        // transient: retry
      }
      await sleep(retry, undefined, { signal }).catch(() => undefined);
    }
    return false;
  }

  /**
   * Renews every retry period; resolves when renewal failed for longer than the renew deadline
   * (leadership lost) or `signal` aborted.
   */
  async hold(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    const retry = this.options.retryPeriodMs ?? 2000;
    const deadline = this.options.renewDeadlineMs ?? 10_000;
    let lastOk = performance.now();
    while (!signal.aborted) {
      await sleep(retry, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) break;
      try {
        if (await this.tryAcquireOrRenew()) lastOk = performance.now();
      } catch {
        // counted against the deadline
      }
      if (performance.now() - lastOk > deadline) {
        this.leading = false;
        return 'lost';
      }
    }
    return 'stopped';
  }

  /** Gives the lease up (holder cleared, 1 s duration) so a successor need not wait for expiry. */
  async release(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    const lease = await this.rest.get<Lease>(this.path());
    if (lease.spec.holderIdentity !== this.options.identity) return;
    await this.rest.json('PUT', this.path(), {}, { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(this.options.clock()) } });
  }
}
