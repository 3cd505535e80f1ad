/**
 * Notes of a check result: short lines the text report prints after its summary table, before the
 * findings. Pure: derived from the result only. (Who holds personal data and why is a line of the
 * summary itself: reporters/personal-data.ts.)
 * A new note is one more entry in NOTES.
 */
import type { CheckResult } from '../engine.js';

/** One note: a result in, lines out (none when the note has nothing to say). */
export type Note = (result: CheckResult) => readonly string[];

export const NOTES: readonly Note[] = [];

export function notesOf(result: CheckResult, notes: readonly Note[] = NOTES): string[] {
  return notes.flatMap((n) => n(result));
}
