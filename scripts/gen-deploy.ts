/**
 * Writes deploy/ (the operator's install manifests and the CRD) from operator/deploy.ts.
 *   npm run gen:deploy
 * test/unit/operator/deploy-sync.test.ts fails when deploy/ differs from what this writes.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditorObjects } from '../operator/auditor.js';
import { deployFiles } from '../operator/deploy.js';

const dir = fileURLToPath(new URL('../deploy/', import.meta.url));
mkdirSync(dir, { recursive: true });
const files = deployFiles({ auditor: await auditorObjects() });
for (const stale of readdirSync(dir).filter((f) => f.endsWith('.yaml') && !(f in files))) rmSync(join(dir, stale));
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
process.stdout.write(`wrote ${Object.keys(files).map((f) => `deploy/${f}`).join(', ')}\n`);
