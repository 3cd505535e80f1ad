/**
 * Status conditions (metav1.Condition shape). Types and reasons are exported constants: tests assert
 * them and docs/operator.md explains each. Pure: the clock is passed in.
 */

export const ConditionType = {
  Ready: 'Ready',
  SpecValid: 'SpecValid',
  MeshPolicyApplied: 'MeshPolicyApplied',
  NetworkPolicyApplied: 'NetworkPolicyApplied',
  GatewayReady: 'GatewayReady',
  SecretsValid: 'SecretsValid',
  KeyManagerConfigured: 'KeyManagerConfigured',
  KeyManagerReachable: 'KeyManagerReachable',
  AuditPassed: 'AuditPassed',
  // Data tier probes (operator/datatier/): DatabaseTLS, OdooDatabaseManagerDisabled, AttachmentsPrivate.
  DatabaseTLS: 'DatabaseTLS',
  OdooDatabaseManagerDisabled: 'OdooDatabaseManagerDisabled',
  AttachmentsPrivate: 'AttachmentsPrivate',
  GuardApplied: 'GuardApplied',
  MonitoringApplied: 'MonitoringApplied',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const Reason = {
  // Ready
  AllChecksPassed: 'AllChecksPassed',
  ChecksFailed: 'ChecksFailed',
  Reconciling: 'Reconciling',
  // SpecValid
  Valid: 'Valid',
  InvalidSpec: 'InvalidSpec',
  // MeshPolicyApplied / NetworkPolicyApplied / GatewayReady
  Applied: 'Applied',
  ApplyFailed: 'ApplyFailed',
  IstioCRDsMissing: 'IstioCRDsMissing',
  NothingToApply: 'NothingToApply',
  ServerKeyGenerated: 'ServerKeyGenerated',
  ServerKeyPresent: 'ServerKeyPresent',
  ServerKeyInvalid: 'ServerKeyInvalid',
  GatewayUnavailable: 'GatewayUnavailable',
  // SecretsValid
  AllSecretsValid: 'AllSecretsValid',
  NoSecretsDeclared: 'NoSecretsDeclared',
  SecretMissing: 'SecretMissing',
  SecretKeyMissing: 'SecretKeyMissing',
  SecretValueEmpty: 'SecretValueEmpty',
  SecretTooShort: 'SecretTooShort',
  SecretLowEntropy: 'SecretLowEntropy',
  SecretKnownDefault: 'SecretKnownDefault',
  SecretTooOld: 'SecretTooOld',
  SecretUnreadable: 'SecretUnreadable',
  // KeyManagerConfigured
  Configured: 'Configured',
  NotConfigured: 'NotConfigured',
  InsecureURL: 'InsecureURL',
  IncompleteConfig: 'IncompleteConfig',
  PiiEncryptionDisabled: 'PiiEncryptionDisabled',
  ClientSecretInvalid: 'ClientSecretInvalid',
  // KeyManagerReachable
  Reachable: 'Reachable',
  ProbeDisabled: 'ProbeDisabled',
  TokenRejected: 'TokenRejected',
  TokenEndpointError: 'TokenEndpointError',
  CertificateNotFound: 'CertificateNotFound',
  CertificateExpiring: 'CertificateExpiring',
  KeyManagerError: 'KeyManagerError',
  Unreachable: 'Unreachable',
  TLSError: 'TLSError',
  // DatabaseTLS (also Unreachable)
  TLSVerified: 'TLSVerified',
  DatabaseTLSOff: 'DatabaseTLSOff',
  CertificateInvalid: 'CertificateInvalid',
  PlaintextAccepted: 'PlaintextAccepted',
  ProbeTimeout: 'ProbeTimeout',
  DatabaseProtocolError: 'DatabaseProtocolError',
  // OdooDatabaseManagerDisabled (also ProbeTimeout, Unreachable, CertificateInvalid)
  DatabaseManagerRefused: 'DatabaseManagerRefused',
  DatabaseManagerEnabled: 'DatabaseManagerEnabled',
  NotOdoo: 'NotOdoo',
  OdooError: 'OdooError',
  // AttachmentsPrivate (also ProbeTimeout, Unreachable, CertificateInvalid)
  AnonymousDenied: 'AnonymousDenied',
  PubliclyListable: 'PubliclyListable',
  PubliclyReadable: 'PubliclyReadable',
  BucketNotFound: 'BucketNotFound',
  S3Error: 'S3Error',
  // AuditPassed
  NoFindings: 'NoFindings',
  Findings: 'Findings',
  AuditUnavailable: 'AuditUnavailable',
  // GuardApplied (spec.guard)
  GuardUnsupported: 'GuardUnsupported',
  // MonitoringApplied (spec.monitoring)
  MonitoringCRDsMissing: 'MonitoringCRDsMissing',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
  readonly reason: string;
  readonly message: string;
}

/** What a check computes: the condition without bookkeeping. */
export interface ConditionResult {
  readonly type: ConditionType;
  readonly status: ConditionStatus;
  readonly reason: Reason;
  readonly message: string;
}

/** RFC 3339 truncated to whole seconds: what the API server stores, so comparisons stay stable. */
export function toSeconds(now: Date): string {
  return new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Merges computed results into the previous conditions: lastTransitionTime moves only when status
 * flips; conditions no longer computed are dropped. Order follows `results`.
 */
export function mergeConditions(previous: readonly Condition[], results: readonly ConditionResult[], generation: number | undefined, now: Date): Condition[] {
  const byType = new Map(previous.map((c) => [c.type, c]));
  return results.map((r) => {
    const old = byType.get(r.type);
    const lastTransitionTime = old && old.status === r.status ? old.lastTransitionTime : toSeconds(now);
    return {
      type: r.type,
      status: r.status,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
      lastTransitionTime,
      reason: r.reason,
      message: r.message,
    };
  });
}

/** Detail conditions that must be True for Ready (the others are informational when absent). */
const READY_BLOCKERS: readonly ConditionType[] = [
  ConditionType.SpecValid,
  ConditionType.MeshPolicyApplied,
  ConditionType.NetworkPolicyApplied,
  ConditionType.GatewayReady,
  ConditionType.SecretsValid,
  ConditionType.KeyManagerConfigured,
  ConditionType.KeyManagerReachable,
  ConditionType.DatabaseTLS,
  ConditionType.OdooDatabaseManagerDisabled,
  ConditionType.AttachmentsPrivate,
  ConditionType.AuditPassed,
  ConditionType.GuardApplied,
  ConditionType.MonitoringApplied,
];

/** The summary: Ready=True when every detail condition is True, else False naming the failing ones. */
export function readyCondition(details: readonly ConditionResult[]): ConditionResult {
  const failing = details.filter((d) => READY_BLOCKERS.includes(d.type) && d.status !== 'True');
  if (failing.length === 0) {
    return { type: ConditionType.Ready, status: 'True', reason: Reason.AllChecksPassed, message: 'every applied object is in place and every check passed' };
  }
  const first = failing[0];
  const names = failing.map((f) => `${f.type}=${f.status} (${f.reason})`).join(', ');
  const reason = first?.type === ConditionType.SpecValid ? Reason.InvalidSpec : Reason.ChecksFailed;
  return { type: ConditionType.Ready, status: 'False', reason, message: `not ready: ${names}` };
}

export function condition(type: ConditionType, ok: boolean, reason: Reason, message: string): ConditionResult {
  return { type, status: ok ? 'True' : 'False', reason, message };
}
