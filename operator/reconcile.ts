import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { labelValue } from '../charts-src/constructs/common.js';
import { Labels, type KubeObject } from '../charts-src/kube.js';
import { formatPath, parseRegistrySpec, type RegistrySpec, type SpecIssue } from '../charts-src/model/index.js';
import type { RandomBytes } from '../charts-src/wireguard/keys.js';
import { applyAndPrune, cleanup, withOwnerReference, type ApplyOutcome } from './apply.js';
import { ConditionType, mergeConditions, readyCondition, Reason, type ConditionResult } from './conditions.js';
import { objectKey, rvOlder, type AppliedMemo } from './diff.js';
import { dataTierConditions, dataTierSecretNames, probeKey, type DataTierProbes, type ProbeCacheEntry } from './datatier/probes.js';
import { keyManagerConfigured } from './keymanager/config.js';
import type { ProbeInput } from './keymanager/probe.js';
import { isGeneratedKeyOf, ensureServerKey, type GatewayOutcome } from './wireguard.js';
import { isGuardKind, isMonitoringKind, type KindInfo } from './kinds.js';
import { managedNamespaces } from '../policies/guard/generate.js';
import type { ClusterPort, RegistryObject, RegistryStatus } from './port.js';
import { secretsCondition, type SecretFacts } from './secrets.js';
import { changedFields, statusChanged, transitionEvents } from './status.js';

/**
 * reconcile(key): read → validate → finalizer → synthesise → apply → prune → gather and check →
 * conditions → status (only when changed) → Events on transitions. Level-triggered: works from the
 * key and the current state only. Each step is a small function; I/O goes through the ClusterPort.
 */

export const FINALIZER = 'ward.g2p.dev/cleanup';

export interface Owner {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

export interface AuditResult {
  readonly condition: ConditionResult;
}

export interface ReconcileDeps {
  readonly port: ClusterPort;
  readonly kinds: readonly KindInfo[];
  readonly synthesize: (spec: RegistrySpec, options: { owner: Owner }) => KubeObject[];
  readonly memo: AppliedMemo;
  readonly clock: () => Date;
  readonly log: Logger;
  /** Live key-manager probe (real network); absent: probes report ProbeDisabled. */
  readonly probe?: (input: ProbeInput) => Promise<ConditionResult>;
  /** The `ward check` rules over the live children; absent: no AuditPassed condition. */
  readonly audit?: (objects: readonly KubeObject[], spec: RegistrySpec) => ConditionResult;
  readonly randomBytes?: RandomBytes;
  /** Probe results per RegistryDeployment, kept between reconciles (in memory). */
  readonly probeCache: Map<string, ProbeCacheEntry>;
  /** Live data-tier probes (spec.dataTier.probes; real network); absent: they report ProbeDisabled. */
  readonly dataTierProbes?: DataTierProbes;
  /** Called with every condition computed for a RegistryDeployment (the ward_registrydeployment_condition metric). */
  readonly onConditions?: (rd: RegistryObject, conditions: readonly ConditionResult[]) => void;
  /** Called for each child re-applied after a change or deletion out of band (the ward_drift_repairs_total metric). */
  readonly onDriftRepaired?: (obj: KubeObject) => void;
  /** Requeue while Istio CRDs are missing, to converge once they are installed. @default 5000 */
  readonly missingCrdRetryMs?: number;
  /**
   * Requeue while a declared Secret is missing, weak or too old: the operator reads Secrets by name
   * and does not watch them (least privilege), so a user who fixes one would otherwise wait for the
   * resync. @default 60000
   */
  readonly secretsRetryMs?: number;
  /**
   * What this process last wrote to each RegistryDeployment (status, finalizers) and the
   * resourceVersion it got: read through a watch cache that lags, the RegistryDeployment is
   * overlaid with it, so a stale read never causes a duplicate status write or Event.
   */
  readonly written?: Map<string, WrittenState>;
}

export interface WrittenState {
  readonly resourceVersion: string;
  readonly uid: string;
  readonly status?: RegistryStatus;
  readonly finalizers?: readonly string[];
}

/** The RegistryDeployment as this process knows it: the read, or its own newer writes over it. */
export function freshest(rd: RegistryObject, written: WrittenState | undefined): RegistryObject {
  if (!written || written.uid !== rd.metadata.uid || !rvOlder(rd.metadata.resourceVersion, written.resourceVersion)) return rd;
  return {
    ...rd,
    metadata: { ...rd.metadata, ...(written.finalizers ? { finalizers: written.finalizers } : {}) },
    ...(written.status ? { status: written.status } : {}),
  };
}

function remember(deps: ReconcileDeps, rd: RegistryObject, resourceVersion: string, change: { status?: RegistryStatus; finalizers?: readonly string[] }): void {
  if (!deps.written) return;
  const key = `${rd.metadata.namespace}/${rd.metadata.name}`;
  const before = deps.written.get(key);
  const base = before?.uid === rd.metadata.uid ? before : undefined;
  deps.written.set(key, { ...base, ...change, resourceVersion, uid: rd.metadata.uid });
}

export type ReconcileResult =
  | { readonly outcome: 'done'; readonly requeueAfterMs?: number }
  /** Invalid spec: not retried until the object changes. */
  | { readonly outcome: 'terminal'; readonly generation: number | undefined }
  | { readonly outcome: 'gone' };

export function ownerKeyOf(namespace: string, name: string): string {
  return labelValue(`${namespace}.${name}`);
}

export function ownerLabelsOf(rd: RegistryObject): Record<string, string> {
  return { [Labels.managedBy]: Labels.managedByValue, [Labels.owner]: ownerKeyOf(rd.metadata.namespace, rd.metadata.name), [Labels.ownerUid]: rd.metadata.uid };
}

function issuesMessage(issues: readonly SpecIssue[]): string {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
}

async function writeStatus(deps: ReconcileDeps, rd: RegistryObject, results: readonly ConditionResult[], extra: Omit<RegistryStatus, 'conditions' | 'observedGeneration'>): Promise<void> {
  const details = results.filter((r) => r.type !== ConditionType.Ready);
  const all = [readyCondition(details), ...details];
  const previous = rd.status?.conditions ?? [];
  const conditions = mergeConditions(previous, all, rd.metadata.generation, deps.clock());
  const status: RegistryStatus = { ...(rd.metadata.generation === undefined ? {} : { observedGeneration: rd.metadata.generation }), conditions, ...extra };
  deps.onConditions?.(rd, all);
  if (!statusChanged(rd.status, status)) return;
  deps.log.debug({ rd: `${rd.metadata.namespace}/${rd.metadata.name}`, changed: changedFields(rd.status, status) }, 'writing status');
  const { resourceVersion } = await deps.port.applyStatus(rd, status);
  remember(deps, rd, resourceVersion, { status });
  for (const e of transitionEvents(previous, conditions)) {
    try {
      await deps.port.recordEvent(rd, e);
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, reason: e.reason }, 'recording an event failed');
    }
  }
}

async function handleDeletion(deps: ReconcileDeps, rd: RegistryObject, ownerKey: string): Promise<ReconcileResult> {
  if (!rd.metadata.finalizers?.includes(FINALIZER)) return { outcome: 'gone' };
  const removed = await cleanup(deps, rd, ownerKey);
  await deleteGeneratedKey(deps, rd);
  deps.log.info({ rd: `${rd.metadata.namespace}/${rd.metadata.name}`, removed }, 'children removed; releasing the finalizer');
  await deps.port.setFinalizers(rd, rd.metadata.finalizers.filter((f) => f !== FINALIZER));
  deps.probeCache.delete(`${rd.metadata.namespace}/${rd.metadata.name}`);
  for (const p of ['database', 'odoo', 'attachments'] as const) deps.probeCache.delete(probeKey(`${rd.metadata.namespace}/${rd.metadata.name}`, p));
  deps.written?.delete(`${rd.metadata.namespace}/${rd.metadata.name}`);
  return { outcome: 'gone' };
}

async function deleteGeneratedKey(deps: ReconcileDeps, rd: RegistryObject): Promise<void> {
  const parsed = parseRegistrySpec(rd);
  const wg = parsed.ok ? parsed.spec.wireguard : undefined;
  if (!wg) return;
  const s = await deps.port.getSecret(wg.namespace, wg.privateKeySecret.name);
  if (s.found === true && s.uid && isGeneratedKeyOf(s.labels, rd.metadata.uid)) await deps.port.deleteSecret(wg.namespace, wg.privateKeySecret.name, s.uid);
}

/** Reads every declared Secret (and the key manager's client-secret and CA Secrets) by name. */
async function gatherSecrets(port: ClusterPort, spec: RegistrySpec): Promise<Map<string, SecretFacts>> {
  const names = new Set(spec.secrets.map((s) => s.name));
  if (spec.keyManager) names.add(spec.keyManager.clientSecretRef.name);
  if (spec.keyManager?.probe.caSecretRef) names.add(spec.keyManager.probe.caSecretRef.name);
  for (const n of dataTierSecretNames(spec)) names.add(n);
  const facts = new Map<string, SecretFacts>();
  for (const name of [...names].sort()) facts.set(name, await port.getSecret(spec.namespace, name));
  return facts;
}

function valueOf(facts: SecretFacts | undefined, key: string): string | undefined {
  if (facts?.found !== true) return undefined;
  const v = facts.data[key];
  return v ? Buffer.from(v).toString('utf8') : undefined;
}

async function keyManagerReachable(deps: ReconcileDeps, key: string, spec: RegistrySpec, secrets: Map<string, SecretFacts>, configured: ConditionResult | undefined): Promise<{ condition?: ConditionResult; requeueAfterMs?: number }> {
  const km = spec.keyManager;
  if (!km?.probe.enabled) {
    deps.probeCache.delete(key);
    return {};
  }
  const type = ConditionType.KeyManagerReachable;
  if (configured?.status !== 'True') return { condition: { type, status: 'False', reason: Reason.NotConfigured, message: 'not probed: the key manager configuration is not valid (see KeyManagerConfigured)' } };
  if (!deps.probe) return { condition: { type, status: 'False', reason: Reason.ProbeDisabled, message: 'probing is enabled in the spec but this operator runs without network probes' } };
  const clientSecret = valueOf(secrets.get(km.clientSecretRef.name), km.clientSecretRef.key) ?? '';
  const ca = km.probe.caSecretRef ? valueOf(secrets.get(km.probe.caSecretRef.name), km.probe.caSecretRef.key) : undefined;
  if (km.probe.caSecretRef && ca === undefined) {
    return { condition: { type, status: 'False', reason: Reason.TLSError, message: `keyManager.probe.caSecretRef: Secret "${km.probe.caSecretRef.name}" key "${km.probe.caSecretRef.key}" not found` } };
  }
  const intervalMs = km.probe.intervalSeconds * 1000;
  const inputs = createHash('sha256').update(JSON.stringify([km, clientSecret, ca ?? ''])).digest('hex');
  const now = deps.clock();
  const cached = deps.probeCache.get(key);
  if (cached && cached.inputs === inputs && now.getTime() - cached.at < intervalMs) {
    return { condition: cached.result, requeueAfterMs: cached.at + intervalMs - now.getTime() };
  }
  const result = await deps.probe({
    tokenUrl: km.tokenUrl, apiBaseUrl: km.apiBaseUrl, clientId: km.clientId, clientSecret,
    applicationId: km.applicationId, referenceId: km.referenceId, timeoutMs: km.probe.timeoutSeconds * 1000,
    expiryWarningDays: km.probe.certificateExpiryWarningDays, now, ...(ca ? { ca } : {}),
  });
  deps.probeCache.set(key, { at: now.getTime(), inputs, result });
  return { condition: result, requeueAfterMs: intervalMs };
}

/** GuardApplied (only with spec.guard): the admission policies of `ward guard` are in place. */
function guardCondition(spec: RegistrySpec, outcome: ApplyOutcome, objects: readonly KubeObject[]): ConditionResult[] {
  if (spec.guard === undefined) return [];
  const type = ConditionType.GuardApplied;
  const missing = outcome.missingKinds.filter(isGuardKind);
  if (missing.length > 0) return [{ type, status: 'False', reason: Reason.GuardUnsupported, message: `the API server does not serve ${missing.map((k) => k.kind).join(', ')} (Kubernetes 1.30 or later is needed); everything else is applied` }];
  const failures = outcome.failures.filter((f) => isGuardKind(f.info)).map((f) => f.message);
  if (failures.length > 0) return [{ type, status: 'False', reason: Reason.ApplyFailed, message: failures.join('; ') }];
  const policies = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').length;
  const actions = spec.guard === 'enforce' ? 'Deny + Audit' : 'Warn + Audit';
  return [{ type, status: 'True', reason: Reason.Applied, message: `${String(policies)} admission policies bound to ${managedNamespaces(spec).join(', ')} (${actions})` }];
}

/** MonitoringApplied (only with spec.monitoring): Telemetry and PrometheusRule in place, or which CRDs are missing. */
function monitoringCondition(spec: RegistrySpec, outcome: ApplyOutcome, objects: readonly KubeObject[]): ConditionResult[] {
  if (!spec.monitoring?.enabled) return [];
  const type = ConditionType.MonitoringApplied;
  const missing = outcome.missingKinds.filter(isMonitoringKind);
  if (missing.length > 0) return [{ type, status: 'False', reason: Reason.MonitoringCRDsMissing, message: `${missing.map((k) => `${k.kind} (${k.apiVersion})`).join(', ')} not served: install prometheus-operator's (and Istio's) CRDs and ward converges; everything else is applied` }];
  const failures = outcome.failures.filter((f) => isMonitoringKind(f.info)).map((f) => f.message);
  if (failures.length > 0) return [{ type, status: 'False', reason: Reason.ApplyFailed, message: failures.join('; ') }];
  const count = objects.filter((o) => isMonitoringKind(o)).length;
  return [{ type, status: 'True', reason: Reason.Applied, message: `${String(count)} Telemetry and PrometheusRule objects applied` }];
}

const isOther = (info: KindInfo | undefined): boolean => !isGuardKind(info) && !isMonitoringKind(info);

function applyConditions(spec: RegistrySpec, outcome: ApplyOutcome, objects: readonly KubeObject[]): ConditionResult[] {
  const failuresOf = (istio: boolean): string[] => outcome.failures.filter((f) => isOther(f.info) && (f.info?.istio ?? false) === istio).map((f) => f.message);
  const meshObjects = objects.filter((o) => o.apiVersion.includes('istio.io')).length;
  const npObjects = objects.filter((o) => o.kind === 'NetworkPolicy').length;
  const missingIstio = outcome.missingKinds.filter(isOther);
  const mesh: ConditionResult = missingIstio.length > 0
    ? { type: ConditionType.MeshPolicyApplied, status: 'False', reason: Reason.IstioCRDsMissing, message: `Istio is not installed: ${missingIstio.map((k) => `${k.kind} (${k.apiVersion})`).join(', ')} not served; NetworkPolicies are still applied. Install Istio's CRDs and ward converges.` }
    : failuresOf(true).length > 0
      ? { type: ConditionType.MeshPolicyApplied, status: 'False', reason: Reason.ApplyFailed, message: failuresOf(true).join('; ') }
      : { type: ConditionType.MeshPolicyApplied, status: 'True', reason: Reason.Applied, message: `${String(meshObjects)} Istio objects applied (mTLS ${spec.mesh.mtlsMode})` };
  const np = failuresOf(false).length > 0
    ? { type: ConditionType.NetworkPolicyApplied, status: 'False' as const, reason: Reason.ApplyFailed, message: failuresOf(false).join('; ') }
    : { type: ConditionType.NetworkPolicyApplied, status: 'True' as const, reason: Reason.Applied, message: `${String(npObjects)} NetworkPolicies applied` };
  return [mesh, np, ...guardCondition(spec, outcome, objects), ...monitoringCondition(spec, outcome, objects)];
}

function gatewayStatus(g: GatewayOutcome): NonNullable<RegistryStatus['wireguard']> {
  return { serverKeySecret: g.serverKeySecret, ...(g.publicKey ? { publicKey: g.publicKey } : {}), ...(g.endpoint ? { endpoint: g.endpoint } : {}) };
}

async function gatewayStep(deps: ReconcileDeps, rd: RegistryObject, spec: RegistrySpec, desired: readonly KubeObject[], outcome: ApplyOutcome): Promise<GatewayOutcome | undefined> {
  const wg = spec.wireguard;
  if (!wg?.enabled) return undefined;
  const gateway = await ensureServerKey(deps.port, {
    wg,
    ownerLabels: ownerLabelsOf(rd),
    randomBytes: deps.randomBytes,
    gatewayApplied: !outcome.failures.some((f) => f.namespace === wg.namespace),
    service: [...outcome.live.values()].find((o) => o.kind === 'Service' && o.metadata.namespace === wg.namespace),
    deployment: auditObjects(deps.memo, desired, outcome).find((o) => o.kind === 'Deployment' && o.metadata.namespace === wg.namespace),
  });
  if (gateway.generated) {
    const message = `generated the WireGuard server key into Secret "${gateway.serverKeySecret}"; public key ${gateway.publicKey ?? ''}`;
    await deps.port.recordEvent(rd, { type: 'Normal', reason: Reason.ServerKeyGenerated, message });
  }
  return gateway;
}

/**
 * Each desired child as it is on the server, or as ward just applied it when the watch has not
 * delivered that write yet (so a lagging cache never flaps AuditPassed or GatewayReady).
 */
function auditObjects(memo: AppliedMemo, desired: readonly KubeObject[], outcome: ApplyOutcome): KubeObject[] {
  return desired.map((d) => {
    const live = outcome.live.get(objectKey(d));
    return live && !memo.isStale(d, live) ? live : d;
  });
}

function minDefined(...values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((n): n is number => n !== undefined);
  return defined.length > 0 ? Math.min(...defined) : undefined;
}

interface Checked {
  readonly results: ConditionResult[];
  readonly extra: Omit<RegistryStatus, 'conditions' | 'observedGeneration'>;
  readonly requeueAfterMs?: number | undefined;
}

/** Gathers and checks everything after apply: gateway key, Secrets, key manager, audit. */
async function check(deps: ReconcileDeps, rd: RegistryObject, spec: RegistrySpec, desired: readonly KubeObject[], outcome: ApplyOutcome): Promise<Checked> {
  const key = `${rd.metadata.namespace}/${rd.metadata.name}`;
  const results: ConditionResult[] = [{ type: ConditionType.SpecValid, status: 'True', reason: Reason.Valid, message: 'the spec is valid' }, ...applyConditions(spec, outcome, desired)];
  const gateway = await gatewayStep(deps, rd, spec, desired, outcome);
  if (gateway) results.push(gateway.condition);
  const secretFacts = await gatherSecrets(deps.port, spec);
  const secrets = secretsCondition(spec.secrets, secretFacts, spec.namespace, deps.clock());
  results.push(secrets.condition);
  const configured = keyManagerConfigured(spec, spec.keyManager ? secretFacts.get(spec.keyManager.clientSecretRef.name) : undefined);
  if (configured) results.push(configured);
  const reach = await keyManagerReachable(deps, key, spec, secretFacts, configured);
  if (reach.condition) results.push(reach.condition);
  const dataTier = await dataTierConditions({ probes: deps.dataTierProbes, cache: deps.probeCache, now: deps.clock() }, key, spec, secretFacts);
  results.push(...dataTier.conditions);
  if (deps.audit) results.push(deps.audit(auditObjects(deps.memo, desired, outcome), spec));
  const wireguard = gateway && gatewayStatus(gateway);
  return {
    results,
    requeueAfterMs: minDefined(reach.requeueAfterMs, dataTier.requeueAfterMs, secrets.condition.status === 'False' ? (deps.secretsRetryMs ?? 60_000) : undefined),
    extra: {
      mtlsMode: spec.mesh.mtlsMode, flows: spec.flows.length, secrets: secrets.summary,
      keyManager: reach.condition?.reason ?? configured?.reason ?? 'None', children: desired.length,
      ...(wireguard ? { wireguard } : {}),
    },
  };
}

async function invalidSpec(deps: ReconcileDeps, rd: RegistryObject, issues: readonly SpecIssue[]): Promise<ReconcileResult> {
  const message = `${String(issues.length)} problem${issues.length === 1 ? '' : 's'}: ${issuesMessage(issues)}`;
  await writeStatus(deps, rd, [{ type: ConditionType.SpecValid, status: 'False', reason: Reason.InvalidSpec, message }], rd.status?.children === undefined ? {} : { children: rd.status.children });
  return { outcome: 'terminal', generation: rd.metadata.generation };
}

/** Reconciles one RegistryDeployment. Throws on apply failures (after writing status) so the queue retries. */
export async function reconcile(deps: ReconcileDeps, namespace: string, name: string): Promise<ReconcileResult> {
  const read = await deps.port.getRegistry(namespace, name);
  if (!read) return { outcome: 'gone' };
  const rd = freshest(read, deps.written?.get(`${namespace}/${name}`));
  const ownerKey = ownerKeyOf(namespace, name);
  if (rd.metadata.deletionTimestamp) return handleDeletion(deps, rd, ownerKey);
  const parsed = parseRegistrySpec(rd);
  if (!parsed.ok) return invalidSpec(deps, rd, parsed.issues);
  const spec = parsed.spec;
  if (!rd.metadata.finalizers?.includes(FINALIZER)) {
    const finalizers = [...(rd.metadata.finalizers ?? []), FINALIZER];
    const { resourceVersion } = await deps.port.setFinalizers(rd, finalizers);
    remember(deps, rd, resourceVersion, { finalizers });
  }

  const desired = deps.synthesize(spec, { owner: { name, namespace, uid: rd.metadata.uid } }).map((o) => withOwnerReference(o, rd));
  const outcome = await applyAndPrune(deps, desired, rd, ownerKey);
  if (outcome.applied + outcome.pruned > 0) deps.log.info({ rd: `${namespace}/${name}`, applied: outcome.applied, pruned: outcome.pruned, unchanged: outcome.unchanged }, 'children reconciled');
  const checked = await check(deps, rd, spec, desired, outcome);
  await writeStatus(deps, rd, checked.results, checked.extra);
  if (outcome.failures.length > 0) {
    throw new Error(`reconciling ${namespace}/${name}: ${outcome.failures.map((f) => f.message).join('; ')}`, { cause: outcome.failures[0]?.error });
  }
  const requeueAfterMs = minDefined(checked.requeueAfterMs, outcome.missingKinds.length > 0 ? (deps.missingCrdRetryMs ?? 5000) : undefined);
  return requeueAfterMs === undefined ? { outcome: 'done' } : { outcome: 'done', requeueAfterMs };
}
