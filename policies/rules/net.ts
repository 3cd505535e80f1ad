/**
 * NET: NetworkPolicy coverage and soundness — default-deny per namespace and direction, workloads
 * no policy isolates, policies selecting nothing, allow-all rules, `except` outside `cidr`, and
 * NodePort/LoadBalancer Services other than gateways.
 */
import ipaddr from 'ipaddr.js';
import type { KubeObject } from '../../charts-src/kube.js';
import { isEmptySelector } from '../../charts-src/selector.js';
import { arr, isRec, rec, recs, str, strMap, strs, text, type Rec } from '../index/access.js';
import { labelSelector, networkPolicyTypes, type ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';
import type { Finding, Rule } from '../types.js';
import { celString, celStrings } from '../guard/cel.js';
import { auditedNamespaces, cis, defineRule, findingOf, namespaceObject, NSA } from './util.js';

export const NET_NO_DEFAULT_DENY_INGRESS = 'WARD-NET-001';
export const NET_NO_DEFAULT_DENY_EGRESS = 'WARD-NET-002';
export const NET_WORKLOAD_INGRESS_OPEN = 'WARD-NET-003';
export const NET_WORKLOAD_EGRESS_OPEN = 'WARD-NET-004';
export const NET_SELECTS_NOTHING = 'WARD-NET-005';
export const NET_ALLOW_ALL = 'WARD-NET-006';
export const NET_EXCEPT_OUTSIDE = 'WARD-NET-007';
export const NET_EXPOSED_SERVICE = 'WARD-NET-008';
export const NET_SIDECAR_ANY_HOST = 'WARD-NET-009';

export type Direction = 'Ingress' | 'Egress';

/** policyTypes as the API server defaults them (see networkPolicyTypes). */
export function policyTypes(np: KubeObject): Direction[] {
  return networkPolicyTypes(np.spec);
}

const rulesOf = (np: KubeObject, dir: Direction): readonly unknown[] => arr(rec(np.spec)[dir === 'Ingress' ? 'ingress' : 'egress']);

/** A policy selecting every pod of its namespace, isolating `dir` and allowing nothing in it. */
export function isDefaultDeny(np: KubeObject, dir: Direction): boolean {
  const sel = labelSelector(rec(np.spec).podSelector) ?? {};
  return isEmptySelector(sel) && policyTypes(np).includes(dir) && rulesOf(np, dir).length === 0;
}

/** True when some NetworkPolicy selecting the workload isolates it in `dir`. */
export function isolated(index: ObjectIndex, w: Workload, dir: Direction): boolean {
  return index.networkPoliciesFor(w).some((np) => policyTypes(np).includes(dir));
}

function defaultDenyRule(id: string, dir: Direction): Rule {
  const word = dir.toLowerCase();
  const rule: Rule = defineRule({
    id, title: `Namespace without default-deny ${word}`, severity: dir === 'Ingress' ? 'high' : 'medium',
    rationale: `Without a policy that selects every pod (podSelector: {}) and lists ${dir} in policyTypes with no rules, any pod not covered by another policy accepts ${dir === 'Ingress' ? 'connections from' : 'connections to'} anywhere.`,
    remediation: `Add a NetworkPolicy with podSelector: {}, policyTypes: [${dir}] and no ${word} rules, then allow the intended flows explicitly.`,
    controls: { cis1_12: cis('5.3.2'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
    check: (index) => auditedNamespaces(index).flatMap((ns): Finding[] => {
      if (index.inNamespace('NetworkPolicy', ns).some((np) => isDefaultDeny(np, dir))) return [];
      const personal = index.namespaceHoldsPersonalData(ns);
      return [findingOf(index, rule, namespaceObject(index, ns), `Namespace ${ns} has no default-deny ${word} NetworkPolicy${personal ? ' and holds personal data' : ''}`, { raised: personal })];
    }),
  });
  return rule;
}

function openWorkloadRule(id: string, dir: Direction): Rule {
  const word = dir.toLowerCase();
  const rule: Rule = defineRule({
    id, title: `Workload not isolated for ${word}`, severity: 'medium',
    rationale: `A pod is isolated for ${word} only when a policy selecting it lists ${dir}; otherwise every ${dir === 'Ingress' ? 'source' : 'destination'} is allowed.`,
    remediation: `Select the workload with a NetworkPolicy listing ${dir} (a namespace default-deny does it for every pod).`,
    controls: { cis1_12: cis('5.3.2'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
    check: (index) => index.workloads.flatMap((w): Finding[] => {
      if (w.podSpec.hostNetwork === true || isolated(index, w, dir)) return [];
      const personal = index.holdsPersonalData(w);
      return [findingOf(index, rule, w.object, `${w.ref.kind} ${w.namespace}/${w.ref.name} is selected by no NetworkPolicy for ${word}: ${dir === 'Ingress' ? 'any source can connect to it' : 'it can connect anywhere'}${personal ? ' (holds personal data)' : ''}`,
        { path: w.podSpecPath.slice(0, -1), raised: personal })];
    }),
  });
  return rule;
}

const selectsNothing: Rule = defineRule({
  id: NET_SELECTS_NOTHING, title: 'NetworkPolicy selects no workload', severity: 'low',
  rationale: 'A policy whose podSelector matches no pod protects nothing: usually a label typo, and the intended pods stay open.',
  remediation: 'Fix the podSelector to match the pod template labels of the workload it is meant for, or delete the policy.',
  controls: { cis1_12: cis('5.3.2'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => index.ofKind('NetworkPolicy').flatMap((np): Finding[] => {
    const ns = index.namespaceOf(np) ?? '';
    if (!index.cluster && index.workloadsIn(ns).length === 0) return [];
    if (index.policyTargets(np).length > 0) return [];
    return [findingOf(index, selectsNothing, np, `NetworkPolicy ${ns}/${np.metadata.name} selects no workload in namespace ${ns}`, { path: ['spec', 'podSelector'] })];
  }),
});

const ANY_CIDRS = new Set(['0.0.0.0/0', '::/0']);

/** Why a peer list allows everything, or undefined. */
function allowAllReason(rule: Rec, dir: Direction): string | undefined {
  const field = dir === 'Ingress' ? 'from' : 'to';
  const peers = rule[field];
  if (peers === undefined || peers === null || arr(peers).length === 0) return `has no "${field}", so it allows ${dir === 'Ingress' ? 'every source' : 'every destination'}`;
  for (const p of recs(peers)) {
    const ns = p.namespaceSelector;
    if (isRec(ns) && isEmptySelector(labelSelector(ns) ?? {}) && p.podSelector === undefined) return `has a peer "namespaceSelector: {}" without podSelector: every pod in every namespace`;
    const cidr = str(rec(p.ipBlock).cidr);
    if (cidr && ANY_CIDRS.has(cidr)) return `allows ipBlock ${cidr}: every address`;
  }
  return undefined;
}

function allowAllFindings(index: ObjectIndex, np: KubeObject): Finding[] {
  const out: Finding[] = [];
  const personal = index.policyTargets(np).some((w) => index.holdsPersonalData(w));
  for (const dir of ['Ingress', 'Egress'] as const) {
    if (!policyTypes(np).includes(dir)) continue;
    const field = dir === 'Ingress' ? 'ingress' : 'egress';
    recs(rec(np.spec)[field]).forEach((r, i) => {
      const why = allowAllReason(r, dir);
      if (!why) return;
      const ports = recs(r.ports).map((p) => text(p.port, 'all')).join(', ');
      out.push(findingOf(index, allowAll, np, `NetworkPolicy ${index.namespaceOf(np) ?? ''}/${np.metadata.name} ${field} rule ${String(i)}${ports ? ` (ports ${ports})` : ''} ${why}${personal ? '; it selects workloads holding personal data' : ''}`,
        { path: ['spec', field, i], raised: personal }));
    });
  }
  return out;
}

const allowAll: Rule = defineRule({
  id: NET_ALLOW_ALL, title: 'Allow-all NetworkPolicy rule', severity: 'high',
  rationale: 'A rule without from/to, with "namespaceSelector: {}" alone or with 0.0.0.0/0 opens the selected pods to everything (Bitnami charts render this with allowExternal: true).',
  remediation: 'List the allowed peers (podSelector, namespaceSelector with labels, or narrow ipBlocks) in every rule.',
  controls: { cis1_12: cis('5.3.2'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
  cel: {
    resources: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], resources: ['networkpolicies'] }],
    message: 'a NetworkPolicy rule allows everything (no from/to, "namespaceSelector: {}" alone, or 0.0.0.0/0 or ::/0)',
    expression: () => (['Ingress', 'Egress'] as const).map((dir) => {
      const [field, peers] = dir === 'Ingress' ? ['ingress', 'from'] : ['egress', 'to'];
      const emptySel = '(!has(p.namespaceSelector.matchLabels) || size(p.namespaceSelector.matchLabels) == 0) && (!has(p.namespaceSelector.matchExpressions) || size(p.namespaceSelector.matchExpressions) == 0)';
      const peerOk = `!(has(p.namespaceSelector) && !has(p.podSelector) && ${emptySel}) && !(has(p.ipBlock) && p.ipBlock.cidr in ${celStrings([...ANY_CIDRS])})`;
      return `(!('${dir}' in object.spec.?policyTypes.orValue(['Ingress'])) || !has(object.spec.${field}) || object.spec.${field}.all(r, has(r.${peers}) && size(r.${peers}) > 0 && r.${peers}.all(p, ${peerOk})))`;
    }).join(' && '),
  },
  check: (index) => index.ofKind('NetworkPolicy').flatMap((np) => allowAllFindings(index, np)),
});

function parseCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined {
  try {
    return ipaddr.parseCIDR(cidr);
  } catch {
    return undefined;
  }
}

/** Why `except` does not lie inside `cidr`, or undefined when it does. */
export function exceptProblem(cidr: string, except: string): string | undefined {
  const outer = parseCidr(cidr);
  if (!outer) return `cidr "${cidr}" is not a CIDR`;
  const inner = parseCidr(except);
  if (!inner) return `except "${except}" is not a CIDR`;
  if (inner[0].kind() !== outer[0].kind() || inner[1] < outer[1] || !inner[0].match(outer)) return `except ${except} is not inside cidr ${cidr}`;
  return undefined;
}

const exceptOutside: Rule = defineRule({
  id: NET_EXCEPT_OUTSIDE, title: 'ipBlock except outside its cidr', severity: 'medium',
  rationale: 'The API requires except ranges to lie inside cidr; an except outside it excludes nothing, so the block is wider than intended.',
  remediation: 'Make every except range a sub-range of the ipBlock cidr (or split the block).',
  controls: { cis1_12: cis('5.3.2'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => index.ofKind('NetworkPolicy').flatMap((np) => {
    const out: Finding[] = [];
    for (const field of ['ingress', 'egress'] as const) {
      recs(rec(np.spec)[field]).forEach((r, i) => {
        recs(r[field === 'ingress' ? 'from' : 'to']).forEach((p, j) => {
          const block = rec(p.ipBlock);
          const cidr = str(block.cidr);
          if (!cidr) return;
          for (const ex of strs(block.except)) {
            const problem = exceptProblem(cidr, ex);
            if (problem) out.push(findingOf(index, exceptOutside, np, `NetworkPolicy ${index.namespaceOf(np) ?? ''}/${np.metadata.name} ${field} rule ${String(i)}: ${problem}`, { path: ['spec', field, i, field === 'ingress' ? 'from' : 'to', j, 'ipBlock'] }));
          }
        });
      });
    }
    return out;
  }),
});

const GATEWAY_LABELS: readonly Readonly<Record<string, string>>[] = [{ istio: 'ingressgateway' }];

/** True when the Service fronts a declared gateway: an Istio ingress gateway (by its selector labels or an Istio Gateway selecting its pods) or a RegistryDeployment's gateway. */
function isGatewayService(index: ObjectIndex, svc: KubeObject): boolean {
  const sel = strMap(rec(svc.spec).selector);
  const includes = (labels: Readonly<Record<string, string>>): boolean => Object.keys(labels).length > 0 && Object.entries(labels).every(([k, v]) => sel[k] === v);
  if (GATEWAY_LABELS.some(includes)) return true;
  if (index.ofKind('Gateway').some((g) => g.apiVersion.startsWith('networking.istio.io/') && includes(strMap(rec(g.spec).selector)))) return true;
  return index.ofKind('RegistryDeployment').some((rd) => {
    const spec = rec(rd.spec);
    const wg = rec(spec.wireguard);
    return includes(strMap(rec(rec(spec.mesh).ingressGateway).selector)) || (wg.enabled === true && index.namespaceOf(svc) === str(wg.namespace));
  });
}

const exposedService: Rule = defineRule({
  id: NET_EXPOSED_SERVICE, title: 'NodePort or LoadBalancer Service other than a gateway', severity: 'medium',
  rationale: 'NodePort and LoadBalancer Services publish pods on every node or an external address, bypassing the ingress gateway, its TLS and its authorization.',
  remediation: 'Use type ClusterIP and publish through the Istio ingress gateway (or the WireGuard admin gateway for administration).',
  controls: { cis1_12: cis('5.7.1'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
  cel: {
    resources: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['services'] }],
    message: 'the Service is of type NodePort or LoadBalancer and does not select a declared gateway',
    expression: (p) => {
      const selects = (labels: Readonly<Record<string, string>>): string => Object.entries(labels)
        .map(([k, v]) => `object.spec.?selector[?${celString(k)}].orValue('') == ${celString(v)}`).join(' && ');
      const gateways = [GATEWAY_LABELS[0] ?? {}, ...p.gatewaySelectors].filter((l) => Object.keys(l).length > 0).map((l) => `(${selects(l)})`);
      if (p.wireguardNamespace !== undefined) gateways.push(`object.metadata.namespace == ${celString(p.wireguardNamespace)}`);
      return `!(object.spec.?type.orValue('ClusterIP') in ['NodePort', 'LoadBalancer'])${gateways.map((g) => ` || ${g}`).join('')}`;
    },
    leavesToCheck: 'The check also takes a Service selecting the pods of an Istio Gateway in the same input for a gateway; the guard knows the gateways the RegistryDeployment declares (mesh.ingressGateway.selector, istio: ingressgateway, the WireGuard namespace).',
  },
  check: (index) => index.ofKind('Service').flatMap((svc): Finding[] => {
    const type = str(rec(svc.spec).type) ?? 'ClusterIP';
    if ((type !== 'NodePort' && type !== 'LoadBalancer') || isGatewayService(index, svc)) return [];
    const personal = index.serviceTargets(svc).some((w) => index.holdsPersonalData(w));
    return [findingOf(index, exposedService, svc, `Service ${index.namespaceOf(svc) ?? ''}/${svc.metadata.name} is of type ${type} and is not a declared gateway${personal ? '; it routes to workloads holding personal data' : ''}: use ClusterIP behind the ingress gateway`,
      { path: ['spec', 'type'], raised: personal })];
  }),
});

const sidecarAnyHost: Rule = defineRule({
  id: NET_SIDECAR_ANY_HOST, title: 'Sidecar egress open to any host', severity: 'low',
  rationale: 'A Sidecar with egress host "*/*" or outboundTrafficPolicy ALLOW_ANY lets workloads reach any service and any external host through the proxy; REGISTRY_ONLY with listed namespaces keeps egress to what is declared (a second layer under NetworkPolicy, not a boundary on its own).',
  remediation: 'List egress hosts per namespace ("./*", "istio-system/*", ...) and set outboundTrafficPolicy.mode: REGISTRY_ONLY.',
  controls: { nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => index.ofKind('Sidecar').flatMap((sc): Finding[] => {
    const spec = rec(sc.spec);
    const ref = `Sidecar ${index.namespaceOf(sc) ?? ''}/${sc.metadata.name}`;
    const out: Finding[] = [];
    recs(spec.egress).forEach((e, i) => {
      if (strs(e.hosts).some((h) => h === '*/*' || h === '*')) out.push(findingOf(index, sidecarAnyHost, sc, `${ref} egress ${String(i)} allows any host ("*/*")`, { path: ['spec', 'egress', i, 'hosts'] }));
    });
    if (str(rec(spec.outboundTrafficPolicy).mode) === 'ALLOW_ANY') out.push(findingOf(index, sidecarAnyHost, sc, `${ref} sets outboundTrafficPolicy ALLOW_ANY: any external host is reachable`, { path: ['spec', 'outboundTrafficPolicy'] }));
    return out;
  }),
});

export const netRules: readonly Rule[] = [
  defaultDenyRule(NET_NO_DEFAULT_DENY_INGRESS, 'Ingress'),
  defaultDenyRule(NET_NO_DEFAULT_DENY_EGRESS, 'Egress'),
  openWorkloadRule(NET_WORKLOAD_INGRESS_OPEN, 'Ingress'),
  openWorkloadRule(NET_WORKLOAD_EGRESS_OPEN, 'Egress'),
  selectsNothing, allowAll, exceptOutside, exposedService, sidecarAnyHost,
];
