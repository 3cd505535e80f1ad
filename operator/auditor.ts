import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../charts-src/kube.js';

/**
 * The auditor's read-only RBAC from the checker's `auditorRbac()` (policies/auditor-rbac.ts), loaded
 * only when that module exists, so deploy/ can be generated before the checker lands.
 */
export async function auditorObjects(): Promise<KubeObject[] | undefined> {
  const path = fileURLToPath(new URL('../policies/auditor-rbac.ts', import.meta.url));
  if (!existsSync(path)) return undefined;
  const specifier = '../policies/auditor-rbac.js';
  const mod = (await import(/* @vite-ignore */ specifier)) as { auditorRbac?: () => KubeObject[] };
  return mod.auditorRbac?.();
}
