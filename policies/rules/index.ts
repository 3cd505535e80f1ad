/**
 * The rule catalogue: ONE typed registry of every rule, keyed by id. A family adds its rules with
 * one line below (e.g. `...wireguardRules,`); ids are `WARD-<AREA>-<NNN>` and unique (a test checks).
 */
import type { Rule } from '../types.js';
import { apiRules } from './api.js';
import { authzRules } from './authz.js';
import { edgeRules } from './edge.js';
import { flowRules } from './flow.js';
import { kmRules } from './km.js';
import { mtlsRules } from './mtls.js';
import { netRules } from './net.js';
import { odooRules } from './odoo.js';
import { pgRules } from './pg.js';
import { podRules } from './pod.js';
import { rbacRules } from './rbac.js';
import { restRules } from './rest.js';
import { minioRules } from './minio.js';
import { secDefaultRules } from './sec-defaults.js';
import { secRules } from './sec.js';
import { tlsRules } from './tls.js';
import { waiverRules } from './waiver.js';
import { wireguardRules } from './wireguard.js';

const catalogue: readonly Rule[] = [
  ...podRules,
  ...netRules,
  ...mtlsRules,
  ...authzRules,
  ...secRules,
  ...secDefaultRules,
  ...kmRules,
  ...tlsRules,
  ...rbacRules,
  ...waiverRules,
  ...wireguardRules,
  ...flowRules,
  ...apiRules,
  ...odooRules,
  ...pgRules,
  ...minioRules,
  ...restRules,
  ...edgeRules,
  // WireGuard (WARD-WG-*) and flow (WARD-FLOW-*) rules: one line each here.
];

/** Every rule by id, in catalogue order. */
export const rules: ReadonlyMap<string, Rule> = new Map(catalogue.map((r) => [r.id, r]));

/** Ids that appear more than once in the catalogue (must be empty; asserted by a test). */
export function duplicateRuleIds(): string[] {
  const seen = new Set<string>();
  return catalogue.filter((r) => (seen.has(r.id) ? true : (seen.add(r.id), false))).map((r) => r.id);
}

export const RULE_ID_PATTERN = /^WARD-[A-Z]+-\d{3}$/;

/** The family of a rule id: `WARD-POD-001` → `POD`. */
export function ruleFamily(id: string): string {
  return id.split('-')[1] ?? '';
}
