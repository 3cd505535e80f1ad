import type { CheckResult } from '../engine.js';

/** How the text report groups findings: severity → rule → objects (default), or per object. */
export type GroupBy = 'rule' | 'object';
export const GROUP_BY: readonly GroupBy[] = ['rule', 'object'];

export interface ReportContext {
  /** ANSI colour (text reporter): the CLI decides from NO_COLOR and whether stdout is a TTY. */
  readonly color: boolean;
  /** ward's version (tool metadata in SARIF/JSON). */
  readonly toolVersion: string;
  /** Terminal width to wrap the text report at; absent: no wrapping (not a TTY, or a file). */
  readonly width?: number;
  /** Working directory: the text report shows file paths inside it relative to it. */
  readonly cwd?: string;
  /** Text report grouping. @default 'rule' */
  readonly groupBy?: GroupBy;
  /** Text report: only the summary (no findings). @default false */
  readonly summaryOnly?: boolean;
}

/** Renders a check result to a string; writing it anywhere happens at the edge (the CLI). */
export type Reporter = (result: CheckResult, ctx: ReportContext) => string;
