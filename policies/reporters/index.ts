/**
 * The reporters: ONE typed registry of named renderers (result → string). A new format is one line
 * below (e.g. `html: renderHtml,`); the CLI writes the strings.
 */
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';
import type { Reporter } from './types.js';

export type { Reporter, ReportContext } from './types.js';
export { JSON_SCHEMA_ID } from './json.js';
export { summaryLine } from './text.js';

export const reporters: Readonly<Record<string, Reporter>> = {
  text: renderText,
  json: renderJson,
  sarif: renderSarif,
  junit: renderJunit,
  html: renderHtml,
};

export function isReporterName(name: string): boolean {
  return Object.hasOwn(reporters, name);
}
