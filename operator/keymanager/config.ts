import type { KeyManagerSpec, RegistrySpec } from '../../charts-src/model/index.js';
import { ConditionType, Reason, type ConditionResult } from '../conditions.js';
import type { SecretFacts } from '../secrets.js';

/**
 * Key-manager configuration coherence (the `g2p_encryption_keymanager` settings): pure checks over
 * the spec and the client-secret facts. Messages name fields and Secrets, never values.
 */

/**
 * The namespace a cluster-internal host name points into ("svc" → own namespace, "svc.ns",
 * "svc.ns.svc", "svc.ns.svc.cluster.local" → ns), or undefined for an external host.
 */
export function clusterHostNamespace(host: string, ownNamespace: string): string | undefined {
  const labels = host.toLowerCase().split('.');
  if (labels.length === 1) return ownNamespace;
  if (labels.length === 2) return labels[1];
  if (labels.length === 3 && labels[2] === 'svc') return labels[1];
  if (labels.length === 5 && labels.slice(2).join('.') === 'svc.cluster.local') return labels[1];
  return undefined;
}

/** True when plaintext http to `host` still travels inside STRICT mTLS of the mesh. */
export function coveredByStrictMtls(spec: RegistrySpec, host: string): boolean {
  if (spec.mesh.mtlsMode !== 'STRICT') return false;
  const ns = clusterHostNamespace(host, spec.namespace);
  if (ns === undefined) return false;
  return spec.mesh.meshWide || ns === spec.namespace;
}

function urlProblem(spec: RegistrySpec, field: string, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `keyManager.${field} "${raw}" is not a URL`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return `keyManager.${field} must use https (got ${url.protocol.replace(':', '')})`;
  if (coveredByStrictMtls(spec, url.hostname)) return undefined;
  return `keyManager.${field} uses plain http to "${url.hostname}", which STRICT mTLS of namespace "${spec.namespace}" does not cover: use https, or an in-mesh service name with mesh.mtlsMode STRICT`;
}

/** Checks the client secret the registry authenticates with: present, key present, non-empty. */
function clientSecretProblem(km: KeyManagerSpec, facts: SecretFacts | undefined): string | undefined {
  const { name, key } = km.clientSecretRef;
  if (!facts || facts.found === false) return `keyManager.clientSecretRef: Secret "${name}" not found`;
  if (facts.found === 'error') return `keyManager.clientSecretRef: Secret "${name}" could not be read: ${facts.error}`;
  const v = facts.data[key];
  if (v === undefined) return `keyManager.clientSecretRef: Secret "${name}" has no key "${key}"`;
  if (v.length === 0) return `keyManager.clientSecretRef: Secret "${name}" key "${key}" is empty`;
  return undefined;
}

/**
 * KeyManagerConfigured, or undefined when the spec has no key manager and no component holds
 * personal data (nothing to encrypt).
 */
export function keyManagerConfigured(spec: RegistrySpec, clientSecret: SecretFacts | undefined): ConditionResult | undefined {
  const km = spec.keyManager;
  const type = ConditionType.KeyManagerConfigured;
  if (!km) {
    const pii = spec.components.filter((c) => c.personalData).map((c) => c.name);
    if (pii.length === 0) return undefined;
    return { type, status: 'False', reason: Reason.NotConfigured, message: `components holding personal data (${pii.join(', ')}) but spec.keyManager is not set: PII encryption needs the key manager` };
  }
  const insecure = [urlProblem(spec, 'apiBaseUrl', km.apiBaseUrl), urlProblem(spec, 'tokenUrl', km.tokenUrl)].filter((m): m is string => !!m);
  if (insecure.length > 0) return { type, status: 'False', reason: Reason.InsecureURL, message: insecure.join('; ') };
  const missing = [
    km.clientId.trim() === '' ? 'keyManager.clientId' : undefined,
    km.applicationId.trim() === '' ? 'keyManager.applicationId' : undefined,
    km.referenceId.trim() === '' ? 'keyManager.referenceId' : undefined,
  ].filter((m): m is string => !!m);
  if (missing.length > 0) return { type, status: 'False', reason: Reason.IncompleteConfig, message: `must be set: ${missing.join(', ')}` };
  if (!km.piiEncryptionRequired) {
    return { type, status: 'False', reason: Reason.PiiEncryptionDisabled, message: 'keyManager.piiEncryptionRequired is false: personal data fields would be stored unencrypted' };
  }
  const secret = clientSecretProblem(km, clientSecret);
  if (secret) return { type, status: 'False', reason: Reason.ClientSecretInvalid, message: secret };
  return { type, status: 'True', reason: Reason.Configured, message: `key manager ${km.apiBaseUrl} (application ${km.applicationId}, reference ${km.referenceId}) with client "${km.clientId}"` };
}
