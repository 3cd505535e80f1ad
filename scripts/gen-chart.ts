/**
 * Writes the Helm chart charts/ward-operator from operator/helm-chart.ts (the same construct as deploy/).
 *   npm run gen:chart
 * test/unit/operator/chart-sync.test.ts fails when charts/ward-operator differs from what this writes.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditorObjects } from '../operator/auditor.js';
import { chartFiles } from '../operator/helm-chart.js';

const dir = fileURLToPath(new URL('../charts/ward-operator/', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const files = chartFiles({ auditor: (await auditorObjects()) ?? [], version });
rmSync(dir, { recursive: true, force: true });
for (const [name, text] of Object.entries(files)) {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  writeFileSync(join(dir, name), text);
}
process.stdout.write(`wrote ${String(Object.keys(files).length)} files in charts/ward-operator/\n`);
