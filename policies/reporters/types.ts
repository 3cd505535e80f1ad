import type { CheckResult } from '../engine.js';

export interface ReportContext {
  /** ANSI colour (text reporter): the CLI decides from NO_COLOR and whether stdout is a TTY. */
  readonly color: boolean;
  /** ward's version (tool metadata in SARIF/JSON). */
  readonly toolVersion: string;
}

/** Renders a check result to a string; writing it anywhere happens at the edge (the CLI). */
export type Reporter = (result: CheckResult, ctx: ReportContext) => string;
