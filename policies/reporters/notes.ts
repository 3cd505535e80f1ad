/**
 * Notes of a check result: short lines the text report prints after its summary table, before the
 * findings (e.g. which workloads hold personal data and why). Pure: derived from the result only.
 * A new note is one more entry in NOTES.
 */
import type { CheckResult } from '../engine.js';

/** One note: a result in, lines out (none when the note has nothing to say). */
export type Note = (result: CheckResult) => readonly string[];

export const NOTES: readonly Note[] = [];

export function notesOf(result: CheckResult, notes: readonly Note[] = NOTES): string[] {
  return notes.flatMap((n) => n(result));
}
