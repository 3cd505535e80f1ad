import { API_VERSION, FIELD_MANAGER, KIND } from '../charts-src/kube.js';
import type { EventInput, RegistryObject } from './port.js';

/**
 * Events through `events.k8s.io/v1` with series, as client-go's events broadcaster does: the first
 * occurrence of an event creates an Event; the same event again (same object, type, reason and
 * note) within the series window does not create another one but patches the first one's
 * `series` (count, lastObservedTime). A condition that flaps posts one Event per distinct
 * transition, whose count says how often it happened. Kept in memory, bounded; a new leader starts
 * new series.
 */

/** `reportingController` of every Event ward writes (a qualified name, as the API requires). */
export const REPORTING_CONTROLLER = `ward.g2p.dev/${FIELD_MANAGER}`;
/** The `action` of the Events: what the operator was doing. */
export const EVENT_ACTION = 'Reconcile';
/** Repeats within this long are one series. @default 30 minutes */
export const SERIES_WINDOW_MS = 30 * 60_000;
/** Series remembered at most (oldest dropped first). */
export const MAX_SERIES = 4096;
/** The API refuses a note longer than 1 KiB. */
export const MAX_NOTE_BYTES = 1024;

export interface SeriesEntry {
  readonly namespace: string;
  readonly name: string;
  count: number;
  last: Date;
}

/** What recording `key` at `now` does: create a new Event, or add to the series of a known one. Pure. */
export function seriesAction(known: SeriesEntry | undefined, now: Date, windowMs = SERIES_WINDOW_MS): 'create' | 'patch' {
  return known !== undefined && now.getTime() - known.last.getTime() < windowMs ? 'patch' : 'create';
}

/** RFC 3339 with microseconds (metav1.MicroTime), from a Date. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The note cut to MAX_NOTE_BYTES of UTF-8 (on a character boundary), with an ellipsis when cut. */
export function eventNote(message: string): string {
  if (Buffer.byteLength(message, 'utf8') <= MAX_NOTE_BYTES) return message;
  let out = '';
  for (const ch of message) {
    if (Buffer.byteLength(`${out}${ch}…`, 'utf8') > MAX_NOTE_BYTES) break;
    out += ch;
  }
  return `${out}…`;
}

export function seriesKey(rd: RegistryObject, e: EventInput): string {
  return [rd.metadata.namespace, rd.metadata.name, rd.metadata.uid ?? '', e.type, e.reason, e.message].join('\u0000');
}

/**
 * The events.k8s.io/v1 Event of a first occurrence, named `<object>.<time in hex><seq>` as client-go
 * names them (the API refuses a generateName ending in "."). Pure.
 */
export function eventBody(rd: RegistryObject, e: EventInput, now: Date, instance: string, seq = 0): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${rd.metadata.name}.${now.getTime().toString(16)}${seq.toString(16).padStart(4, '0')}`, namespace: rd.metadata.namespace },
    eventTime: microTime(now),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: instance.slice(0, 128),
    action: EVENT_ACTION,
    reason: e.reason,
    note: eventNote(e.message),
    type: e.type,
    regarding: { apiVersion: API_VERSION, kind: KIND, name: rd.metadata.name, namespace: rd.metadata.namespace, ...(rd.metadata.uid ? { uid: rd.metadata.uid } : {}) },
  };
}

export interface EventSink {
  create(namespace: string, body: Record<string, unknown>): Promise<{ metadata: { name: string } }>;
  /** Merge-patches `series`; resolves false when the Event is gone (expired: start a new one). */
  patchSeries(namespace: string, name: string, series: { count: number; lastObservedTime: string }): Promise<boolean>;
}

export class EventRecorder {
  private readonly series = new Map<string, SeriesEntry>();
  private seq = 0;

  constructor(
    private readonly sink: EventSink,
    private readonly clock: () => Date,
    private readonly instance: string,
    private readonly windowMs = SERIES_WINDOW_MS,
  ) {}

  async record(rd: RegistryObject, e: EventInput): Promise<void> {
    const key = seriesKey(rd, e);
    const now = this.clock();
    const known = this.series.get(key);
    if (known && seriesAction(known, now, this.windowMs) === 'patch') {
      const series = { count: known.count + 1, lastObservedTime: microTime(now) };
      if (await this.sink.patchSeries(known.namespace, known.name, series)) {
        known.count = series.count;
        known.last = now;
        return;
      }
    }
    const created = await this.sink.create(rd.metadata.namespace, eventBody(rd, e, now, this.instance, this.seq++ % 0x10000));
    this.series.delete(key);
    this.series.set(key, { namespace: rd.metadata.namespace, name: created.metadata.name, count: 1, last: now });
    if (this.series.size > MAX_SERIES) this.series.delete(this.series.keys().next().value!);
  }
}
