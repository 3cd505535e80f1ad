/**
 * A work queue with client-go semantics: keys are de-duplicated while waiting; a key being processed
 * is never handed out again until `done` (an add meanwhile marks it dirty and it comes back after);
 * per-item exponential backoff (base·2ⁿ, capped) combined with a global token bucket; `forget` resets
 * an item's failures. `shutdown` stops handing out work; `drain` waits for the items in flight.
 */

export interface QueueOptions {
  /** @default 5 */
  readonly baseDelayMs?: number;
  /** @default 1000 * 60 * 5 (controller-runtime caps at 1000 s; ward's checks are cheaper) */
  readonly maxDelayMs?: number;
  /** Global token bucket: refill rate per second. @default 10 */
  readonly qps?: number;
  /** Global token bucket size. @default 100 */
  readonly burst?: number;
  /** Monotonic milliseconds. @default performance.now */
  readonly now?: () => number;
  readonly onAdd?: () => void;
  readonly onRetry?: () => void;
  readonly onDepth?: (depth: number) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly idle: (() => void)[] = [];
  private tokens: number;
  private last: number;
  private stopped = false;

  constructor(private readonly options: QueueOptions = {}) {
    this.tokens = options.burst ?? 100;
    this.last = this.now();
  }

  private now(): number {
    return (this.options.now ?? (() => performance.now()))();
  }

  get depth(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.options.onAdd?.();
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.dirty.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
    this.options.onDepth?.(this.queue.length);
  }

  /** Adds after `ms`; an earlier pending add of the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = this.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** The delay the rate limiters give `key` now: max(per-item backoff, global bucket wait). */
  nextDelay(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const item = Math.min((this.options.baseDelayMs ?? 5) * 2 ** n, this.options.maxDelayMs ?? 300_000);
    return Math.max(item, this.takeToken());
  }

  private takeToken(): number {
    const qps = this.options.qps ?? 10;
    const burst = this.options.burst ?? 100;
    const now = this.now();
    this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / qps) * 1000;
  }

  addRateLimited(key: string): void {
    this.options.onRetry?.();
    this.addAfter(key, this.nextDelay(key));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Next key to process; undefined after shutdown. */
  get(): Promise<string | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      this.options.onDepth?.(this.queue.length);
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.stopped) {
      this.dirty.delete(key);
      this.add(key);
    }
    if (this.processing.size === 0) for (const f of this.idle.splice(0)) f();
  }

  /** Stops handing out work and cancels delayed adds; workers waiting in `get` receive undefined. */
  shutdown(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** Resolves when no key is being processed. */
  drain(): Promise<void> {
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
