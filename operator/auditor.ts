import type { KubeObject } from '../charts-src/kube.js';
import { auditorRbac } from '../policies/auditor-rbac.js';

/** The auditor's read-only RBAC from the checker's `auditorRbac()` (policies/auditor-rbac.ts). */
export function auditorObjects(): Promise<KubeObject[] | undefined> {
  return Promise.resolve(auditorRbac());
}
