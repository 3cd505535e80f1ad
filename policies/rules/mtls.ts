/**
 * MTLS: effective mutual TLS per workload and port (PeerAuthentication precedence, see
 * policies/mesh/mtls.ts), DestinationRule TLS settings that disable or weaken it, sidecar injection
 * where personal data is held, and PeerAuthentications Istio ignores.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { rec, recs, str, text } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';
import type { FieldPath } from '../load/types.js';
import { effectiveMtlsByPort, namespacePolicy, sidecarInjected, type EffectiveMtls } from '../mesh/mtls.js';
import { raise, type Finding, type Rule } from '../types.js';
import { cis, defineRule, findingOf, NSA } from './util.js';

export const MTLS_NOT_STRICT = 'WARD-MTLS-001';
export const MTLS_DR_DISABLE = 'WARD-MTLS-002';
export const MTLS_DR_NO_CA = 'WARD-MTLS-003';
export const MTLS_NOT_INJECTED = 'WARD-MTLS-004';
export const MTLS_IGNORED_POLICY = 'WARD-MTLS-005';

function decidedBy(m: EffectiveMtls): string {
  if (!m.policy) return 'no PeerAuthentication applies, so Istio\'s default PERMISSIVE holds';
  const ns = str(m.policy.metadata.namespace) ?? '';
  return `decided by PeerAuthentication ${ns}/${m.policy.metadata.name} (${m.scope === 'port' ? 'portLevelMtls' : m.scope === 'mesh' ? 'mesh-wide' : m.scope === 'namespace' ? 'namespace-wide' : 'workload selector'})`;
}

/** Workloads whose mTLS posture is audited: in the mesh (or of unknown injection), or holding personal data. */
function audited(index: ObjectIndex, w: Workload): boolean {
  return sidecarInjected(index, w) !== false || index.holdsPersonalData(w);
}

const notStrict: Rule = defineRule({
  id: MTLS_NOT_STRICT, title: 'mTLS not STRICT', severity: 'high',
  rationale: 'PERMISSIVE accepts plaintext next to mTLS and DISABLE refuses mTLS: traffic to the workload can be read and spoofed on the pod network, and principals in AuthorizationPolicy mean nothing for plaintext callers.',
  remediation: 'Apply a namespace-wide PeerAuthentication with mtls.mode: STRICT (and no weaker workload or port-level override).',
  controls: { cis1_12: cis('5.7.1'), nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => index.workloads.flatMap((w): Finding[] => {
    if (!audited(index, w)) return [];
    const weak = effectiveMtlsByPort(index, w).filter((p) => p.mtls.mode !== 'STRICT');
    if (weak.length === 0) return [];
    const personal = index.holdsPersonalData(w);
    const ports = weak.map((p) => (p.port === undefined ? p.mtls.mode : `${String(p.port)} ${p.mtls.mode}`)).join(', ');
    const first = weak[0];
    return [findingOf(index, notStrict, w.object, `${w.ref.kind} ${w.namespace}/${w.ref.name} accepts non-mTLS traffic (${ports}); ${first ? decidedBy(first.mtls) : ''}${personal ? '; it holds personal data' : ''}`,
      { path: w.podSpecPath.slice(0, -1), severity: personal ? raise(notStrict.severity) : notStrict.severity })];
  }),
});

interface TlsSetting { readonly tls: Record<string, unknown>; readonly path: FieldPath; readonly where: string }

function tlsSettings(dr: KubeObject): TlsSetting[] {
  const spec = rec(dr.spec);
  const out: TlsSetting[] = [];
  const add = (policy: unknown, path: FieldPath, where: string): void => {
    const p = rec(policy);
    if (p.tls !== undefined) out.push({ tls: rec(p.tls), path: [...path, 'tls'], where });
    recs(p.portLevelSettings).forEach((pl, i) => {
      if (pl.tls !== undefined) out.push({ tls: rec(pl.tls), path: [...path, 'portLevelSettings', i, 'tls'], where: `${where} port ${text(rec(pl.port).number)}` });
    });
  };
  add(spec.trafficPolicy, ['spec', 'trafficPolicy'], 'trafficPolicy');
  recs(spec.subsets).forEach((s, i) => add(s.trafficPolicy, ['spec', 'subsets', i, 'trafficPolicy'], `subset ${str(s.name) ?? String(i)}`));
  return out;
}

/** Workloads a DestinationRule host (short, FQDN or ns-qualified) points at, via Services in the input. */
function hostWorkloads(index: ObjectIndex, dr: KubeObject): Workload[] {
  const host = str(rec(dr.spec).host) ?? '';
  const [name, ns] = host.split('.');
  const svc = index.get('Service', ns ?? index.namespaceOf(dr), name ?? '');
  return svc ? [...index.serviceTargets(svc)] : [];
}

const drDisable: Rule = defineRule({
  id: MTLS_DR_DISABLE, title: 'DestinationRule disables TLS', severity: 'high',
  rationale: 'tls.mode: DISABLE makes clients send plaintext: it breaks a STRICT server and silently downgrades a PERMISSIVE one.',
  remediation: 'Remove tls from the DestinationRule (auto-mTLS) or set mode: ISTIO_MUTUAL.',
  controls: { cis1_12: cis('5.7.1'), nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => index.ofKind('DestinationRule').flatMap((dr) => tlsSettings(dr).filter((t) => str(t.tls.mode) === 'DISABLE').map((t) => {
    const personal = hostWorkloads(index, dr).some((w) => index.holdsPersonalData(w));
    return findingOf(index, drDisable, dr, `DestinationRule ${index.namespaceOf(dr) ?? ''}/${dr.metadata.name} (host ${str(rec(dr.spec).host) ?? '?'}) sets tls.mode: DISABLE in ${t.where}${personal ? '; the host holds personal data' : ''}`,
      { path: t.path, severity: personal ? raise(drDisable.severity) : drDisable.severity });
  })),
});

const drNoCa: Rule = defineRule({
  id: MTLS_DR_NO_CA, title: 'DestinationRule TLS without server verification', severity: 'medium',
  rationale: 'SIMPLE or MUTUAL TLS without caCertificates (or credentialName) does not verify the server certificate: a man in the middle is accepted.',
  remediation: 'Set tls.caCertificates (or credentialName) and sni, or use ISTIO_MUTUAL inside the mesh.',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => index.ofKind('DestinationRule').flatMap((dr) => tlsSettings(dr)
    .filter((t) => ['SIMPLE', 'MUTUAL'].includes(str(t.tls.mode) ?? '') && !str(t.tls.caCertificates) && !str(t.tls.credentialName) && t.tls.insecureSkipVerify !== false)
    .map((t) => findingOf(index, drNoCa, dr, `DestinationRule ${index.namespaceOf(dr) ?? ''}/${dr.metadata.name} (host ${str(rec(dr.spec).host) ?? '?'}) uses tls.mode ${str(t.tls.mode) ?? ''} in ${t.where} without caCertificates: the server is not verified`, { path: t.path }))),
});

const notInjected: Rule = defineRule({
  id: MTLS_NOT_INJECTED, title: 'Personal data outside the mesh', severity: 'high',
  rationale: 'A workload without a sidecar has no mTLS and no AuthorizationPolicy: personal data travels in plaintext and any pod can call it.',
  remediation: 'Label the namespace istio-injection=enabled and remove sidecar.istio.io/inject: "false" from the pod template.',
  controls: { cis1_12: cis('5.7.1'), nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => index.workloads.flatMap((w): Finding[] => {
    if (!index.holdsPersonalData(w) || sidecarInjected(index, w) !== false) return [];
    const optOut = (w.podLabels['sidecar.istio.io/inject'] ?? w.podAnnotations['sidecar.istio.io/inject']) === 'false';
    const why = optOut ? 'opts out of sidecar injection (sidecar.istio.io/inject: "false")' : `runs in namespace ${w.namespace}, which is not labelled for sidecar injection`;
    return [findingOf(index, notInjected, w.object, `${w.ref.kind} ${w.namespace}/${w.ref.name} holds personal data but ${why}`, { path: w.podSpecPath.slice(0, -1), severity: raise(notInjected.severity) })];
  }),
});

const ignoredPolicy: Rule = defineRule({
  id: MTLS_IGNORED_POLICY, title: 'PeerAuthentication Istio ignores', severity: 'medium',
  rationale: 'portLevelMtls without a selector, a selector policy in the root namespace, or a second namespace-wide policy are ignored by istiod: the intended mode does not apply.',
  remediation: 'Give portLevelMtls a workload selector, move selector policies out of the root namespace, and keep one namespace-wide policy per namespace.',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => index.ofKind('PeerAuthentication').flatMap((pa): Finding[] => {
    const spec = rec(pa.spec);
    const ns = index.namespaceOf(pa) ?? '';
    const hasSel = spec.selector !== undefined && spec.selector !== null;
    const ref = `PeerAuthentication ${ns}/${pa.metadata.name}`;
    if (!hasSel && spec.portLevelMtls !== undefined) return [findingOf(index, ignoredPolicy, pa, `${ref} sets portLevelMtls without a selector; Istio ignores it`, { path: ['spec', 'portLevelMtls'] })];
    if (hasSel && ns === index.meshRootNamespace) return [findingOf(index, ignoredPolicy, pa, `${ref} has a selector in the mesh root namespace ${ns}; Istio ignores it`, { path: ['spec', 'selector'] })];
    const wide = index.inNamespace('PeerAuthentication', ns).filter((p) => rec(p.spec).selector === undefined || rec(p.spec).selector === null);
    if (!hasSel && wide.length > 1 && namespacePolicy(index, ns) !== pa) return [findingOf(index, ignoredPolicy, pa, `${ref} is one of ${String(wide.length)} namespace-wide PeerAuthentications in ${ns}; only the oldest is honoured`)];
    return [];
  }),
});

export const mtlsRules: readonly Rule[] = [notStrict, drDisable, drNoCa, notInjected, ignoredPolicy];
