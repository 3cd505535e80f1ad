/**
 * Connection sets: for each L4 protocol, a set of destination ports kept as sorted, disjoint,
 * non-adjacent intervals. Immutable values; every operation returns a new set. The text form is
 * netpol-analyzer's (`All Connections`, `TCP 80,8000-8010,UDP 53`) so the two tools can be diffed.
 */
export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** Inclusive port range. */
export type Interval = readonly [number, number];

type Intervals = readonly Interval[];

export function isProtocol(p: unknown): p is Protocol {
  return typeof p === 'string' && (PROTOCOLS as readonly string[]).includes(p);
}

function normalise(list: readonly Interval[]): Intervals {
  const sorted = list.filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function intersectIntervals(a: Intervals, b: Intervals): Intervals {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [alo, ahi] = a[i]!;
    const [blo, bhi] = b[j]!;
    const lo = Math.max(alo, blo);
    const hi = Math.min(ahi, bhi);
    if (lo <= hi) out.push([lo, hi]);
    if (ahi < bhi) i++;
    else j++;
  }
  return out;
}

function complementIntervals(a: Intervals): Intervals {
  const out: Interval[] = [];
  let next = MIN_PORT;
  for (const [lo, hi] of a) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_PORT) out.push([next, MAX_PORT]);
  return out;
}

const FULL: Intervals = [[MIN_PORT, MAX_PORT]];

/** Interned single-port sets (immutable values, shared). */
const SINGLE = new Map<string, ConnSet>();

export class ConnSet {
  private constructor(private readonly byProto: ReadonlyMap<Protocol, Intervals>) {}

  static readonly none: ConnSet = new ConnSet(new Map());
  static readonly all: ConnSet = new ConnSet(new Map(PROTOCOLS.map((p) => [p, FULL])));

  /** Ports `lo..hi` (inclusive) of one protocol. Single ports are interned (sets are immutable). */
  static ports(protocol: Protocol, lo: number, hi: number = lo): ConnSet {
    if (lo !== hi) return ConnSet.of(protocol, [[lo, hi]]);
    const key = `${protocol}/${String(lo)}`;
    let hit = SINGLE.get(key);
    if (!hit) {
      hit = ConnSet.of(protocol, [[lo, lo]]);
      SINGLE.set(key, hit);
    }
    return hit;
  }

  /** Every port of one protocol. */
  static protocol(protocol: Protocol): ConnSet {
    return ConnSet.of(protocol, FULL);
  }

  static of(protocol: Protocol, intervals: readonly Interval[]): ConnSet {
    const clipped = intervals.map(([lo, hi]): Interval => [Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)]);
    const n = normalise(clipped);
    return n.length === 0 ? ConnSet.none : new ConnSet(new Map([[protocol, n]]));
  }

  intervals(protocol: Protocol): Intervals {
    return this.byProto.get(protocol) ?? [];
  }

  isEmpty(): boolean {
    return this.byProto.size === 0;
  }

  isAll(): boolean {
    return PROTOCOLS.every((p) => {
      const iv = this.byProto.get(p);
      return iv?.length === 1 && iv[0]![0] === MIN_PORT && iv[0]![1] === MAX_PORT;
    });
  }

  union(other: ConnSet): ConnSet {
    if (other === this || other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    return ConnSet.build((p) => normalise([...this.intervals(p), ...other.intervals(p)]));
  }

  intersect(other: ConnSet): ConnSet {
    if (this.isEmpty() || other.isEmpty()) return ConnSet.none;
    return ConnSet.build((p) => intersectIntervals(this.intervals(p), other.intervals(p)));
  }

  subtract(other: ConnSet): ConnSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    return ConnSet.build((p) => intersectIntervals(this.intervals(p), complementIntervals(other.intervals(p))));
  }

  contains(protocol: Protocol, port: number): boolean {
    return this.intervals(protocol).some(([lo, hi]) => port >= lo && port <= hi);
  }

  equals(other: ConnSet): boolean {
    return this.toString() === other.toString();
  }

  /** netpol-analyzer's text: `All Connections`, `No Connections` or `SCTP 9999,TCP 80,8000-8010,UDP 53`. */
  toString(): string {
    if (this.isEmpty()) return 'No Connections';
    if (this.isAll()) return 'All Connections';
    return PROTOCOLS.filter((p) => this.byProto.has(p))
      .map((p) => `${p} ${formatIntervals(this.intervals(p))}`)
      .join(',');
  }

  private static build(f: (p: Protocol) => Intervals): ConnSet {
    const m = new Map<Protocol, Intervals>();
    for (const p of PROTOCOLS) {
      const iv = f(p);
      if (iv.length > 0) m.set(p, iv);
    }
    return m.size === 0 ? ConnSet.none : new ConnSet(m);
  }
}

export function formatIntervals(iv: Intervals): string {
  return iv.map(([lo, hi]) => (lo === hi ? String(lo) : `${String(lo)}-${String(hi)}`)).join(',');
}

/** Union of many sets. */
export function unionAll(sets: Iterable<ConnSet>): ConnSet {
  let acc = ConnSet.none;
  for (const s of sets) acc = acc.union(s);
  return acc;
}
