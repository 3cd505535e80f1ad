/**
 * MTLS: effective mutual TLS per workload and port (PeerAuthentication precedence, see
 * policies/mesh/mtls.ts), DestinationRule TLS settings that disable or weaken it, sidecar injection
 * where personal data is held, PeerAuthentications Istio ignores, and PeerAuthentications that set a
 * mode weaker than STRICT (found without any workload in the input, e.g. in ward's own output).
 */
import { WellKnownLabels, type KubeObject } from '../../charts-src/kube.js';
import { rec, recs, str, text } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';
import type { FieldPath } from '../load/types.js';
import { effectiveMtlsByPort, hasSelector, modeOf, namespacePolicy, sidecarInjected, type EffectiveMtls, type MtlsMode } from '../mesh/mtls.js';
import { raise, type Finding, type Rule } from '../types.js';
import { celString } from '../guard/cel.js';
import { cis, defineRule, findingOf, NSA } from './util.js';

export const MTLS_NOT_STRICT = 'WARD-MTLS-001';
export const MTLS_DR_DISABLE = 'WARD-MTLS-002';
export const MTLS_DR_NO_CA = 'WARD-MTLS-003';
export const MTLS_NOT_INJECTED = 'WARD-MTLS-004';
export const MTLS_IGNORED_POLICY = 'WARD-MTLS-005';
export const MTLS_WEAK_POLICY = 'WARD-MTLS-006';

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
      { path: w.podSpecPath.slice(0, -1), raised: personal })];
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
      { path: t.path, raised: personal });
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
    const optOut = (w.podLabels[WellKnownLabels.sidecarInject] ?? w.podAnnotations[WellKnownLabels.sidecarInject]) === 'false';
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
    const hasSel = hasSelector(pa);
    const ref = `PeerAuthentication ${ns}/${pa.metadata.name}`;
    if (!hasSel && spec.portLevelMtls !== undefined) return [findingOf(index, ignoredPolicy, pa, `${ref} sets portLevelMtls without a selector; Istio ignores it`, { path: ['spec', 'portLevelMtls'] })];
    if (hasSel && ns === index.meshRootNamespace) return [findingOf(index, ignoredPolicy, pa, `${ref} has a selector in the mesh root namespace ${ns}; Istio ignores it`, { path: ['spec', 'selector'] })];
    const wide = index.inNamespace('PeerAuthentication', ns).filter((p) => !hasSelector(p));
    if (!hasSel && wide.length > 1 && namespacePolicy(index, ns) !== pa) return [findingOf(index, ignoredPolicy, pa, `${ref} is one of ${String(wide.length)} namespace-wide PeerAuthentications in ${ns}; only the oldest is honoured`)];
    return [];
  }),
});

interface WeakSetting { readonly where: string; readonly mode: MtlsMode; readonly path: FieldPath }

/**
 * The weaker-than-STRICT modes a PeerAuthentication sets and Istio honours: `mtls.mode` and, for a
 * selector policy, each `portLevelMtls` entry. What Istio ignores (WARD-MTLS-005) is left out.
 */
function weakSettings(index: ObjectIndex, pa: KubeObject): WeakSetting[] {
  const spec = rec(pa.spec);
  const ns = index.namespaceOf(pa) ?? '';
  const hasSel = hasSelector(pa);
  if (hasSel ? ns === index.meshRootNamespace : namespacePolicy(index, ns) !== pa) return [];
  const scope = hasSel ? 'for the workloads it selects' : ns === index.meshRootNamespace ? 'mesh-wide' : 'namespace-wide';
  const out: WeakSetting[] = [];
  const mode = modeOf(spec.mtls);
  if (mode !== undefined && mode !== 'STRICT') out.push({ where: `mtls.mode ${mode} ${scope}`, mode, path: ['spec', 'mtls'] });
  if (!hasSel) return out;
  for (const [port, setting] of Object.entries(rec(spec.portLevelMtls))) {
    const portMode = modeOf(setting);
    if (portMode !== undefined && portMode !== 'STRICT') out.push({ where: `portLevelMtls ${port} mode ${portMode}`, mode: portMode, path: ['spec', 'portLevelMtls', port] });
  }
  return out;
}

/** Namespaces holding personal data that the PeerAuthentication's mode reaches: its own, or for a mesh-wide one those without a namespace-wide mode. */
function personalNamespaces(index: ObjectIndex, pa: KubeObject): string[] {
  const ns = index.namespaceOf(pa) ?? '';
  const meshWide = ns === index.meshRootNamespace && !hasSelector(pa);
  const reached = meshWide ? index.namespaces().filter((n) => n === ns || modeOf(rec(namespacePolicy(index, n)?.spec).mtls) === undefined) : [ns];
  return reached.filter((n) => index.namespaceHoldsPersonalData(n));
}

const weakPolicy: Rule = defineRule({
  id: MTLS_WEAK_POLICY, title: 'PeerAuthentication weaker than STRICT', severity: 'high',
  rationale: 'A PeerAuthentication with mode PERMISSIVE accepts plaintext next to mTLS and DISABLE refuses mTLS, for every workload it covers: the exception is in the policy itself, whether or not the workloads are in the same input.',
  remediation: 'Set mtls.mode: STRICT (and no weaker portLevelMtls entry); if the exception is needed, waive this rule on the PeerAuthentication with the reason (ward.g2p.dev/waive: "WARD-MTLS-006: <reason>").',
  controls: { cis1_12: cis('5.7.1'), nsa: NSA.encryption, owasp2025: 'K05' },
  cel: {
    resources: [{ apiGroups: ['security.istio.io'], apiVersions: ['v1', 'v1beta1'], resources: ['peerauthentications'] }],
    message: 'the PeerAuthentication sets an mTLS mode weaker than STRICT (PERMISSIVE accepts plaintext, DISABLE refuses mTLS)',
    expression: (p) => {
      const selector = 'has(object.spec.selector) && has(object.spec.selector.matchLabels) && size(object.spec.selector.matchLabels) > 0';
      const weak = "['PERMISSIVE', 'DISABLE']";
      const ports = `!has(object.spec.portLevelMtls) || object.spec.portLevelMtls.all(k, !(object.spec.portLevelMtls[k].?mode.orValue('') in ${weak}))`;
      return `!has(object.spec) || (${selector} ? (object.metadata.namespace == ${celString(p.meshRootNamespace)} || (!(object.spec.?mtls.?mode.orValue('') in ${weak}) && (${ports}))) : !(object.spec.?mtls.?mode.orValue('') in ${weak}))`;
    },
    leavesToCheck: 'A second namespace-wide PeerAuthentication is ignored by Istio, so the check does not report its mode (WARD-MTLS-005 does); the guard, seeing one object, judges every namespace-wide one.',
  },
  check: (index) => index.ofKind('PeerAuthentication').flatMap((pa) => {
    const weak = weakSettings(index, pa);
    if (weak.length === 0) return [];
    const personal = personalNamespaces(index, pa);
    const suffix = personal.length === 0 ? '' : `; namespace${personal.length > 1 ? 's' : ''} ${personal.join(', ')} hold${personal.length > 1 ? '' : 's'} personal data`;
    return weak.map((w) => findingOf(index, weakPolicy, pa,
      `PeerAuthentication ${index.namespaceOf(pa) ?? ''}/${pa.metadata.name} sets ${w.where}: ${w.mode === 'DISABLE' ? 'mTLS is refused, traffic is plaintext' : 'plaintext is accepted next to mTLS'}${suffix}`,
      { path: w.path, raised: personal.length > 0 }));
  }),
});

export const mtlsRules: readonly Rule[] = [notStrict, drDisable, drNoCa, notInjected, ignoredPolicy, weakPolicy];
