import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, type NetworkPolicyEgressRule, type NetworkPolicyIngressRule, type NetworkPolicyPeer, type NetworkPolicyPort } from '../imports/k8s.js';
import { PolicyNames, type Component, type RegistrySpec } from '../model/index.js';
import { selectorKey } from '../selector.js';
import { compareStrings, exposedPort, indexEdges, isLocal, localComponents, namespaceSelector, resolveEdges, uniquePorts, type Edge, type Endpoint, type PortRef } from './common.js';

/**
 * Network isolation of the registry namespace (NetworkPolicy, L4):
 * - `default-deny`: every pod, Ingress and Egress, no rules;
 * - `allow-dns`: egress to kube-dns (kube-system, k8s-app=kube-dns) on UDP and TCP 53;
 * - `allow-istiod`: egress to istiod on TCP 15012 (xDS and certificates), when sidecars are injected;
 * - `<component>` per component with flows: its ingress rules (one per source, plus the ingress
 *   gateway when exposed) and egress rules (one per destination component or CIDR). A connection
 *   needs both: the source's egress and the destination's ingress.
 * Components in other namespaces are peers only: ward writes nothing into their namespace.
 */
export interface NetworkIsolationProps {
  /** The parsed spec (`parseRegistrySpec`): its namespace, components and flows. */
  readonly spec: RegistrySpec;
  /**
   * The spec's flows merged by their ends; pass them when several constructs share one spec.
   * @default resolveEdges(spec)
   */
  readonly edges?: readonly Edge[];
}

export const KUBE_DNS = { namespace: 'kube-system', selector: { 'k8s-app': 'kube-dns' }, port: 53 } as const;
export const ISTIOD = { selector: { app: 'istiod' }, port: 15012 } as const;

function l4Ports(ports: readonly PortRef[]): NetworkPolicyPort[] {
  return uniquePorts(ports).map((p) => ({ protocol: p.protocol, port: IntOrString.fromNumber(p.port) }));
}

/** The peer matching an endpoint's pods, scoped to its namespace when it is not the policy's own. */
export function endpointPeer(spec: RegistrySpec, e: Endpoint): NetworkPolicyPeer {
  const podSelector = { matchLabels: { ...e.component.selector } };
  return isLocal(spec, e) ? { podSelector } : { namespaceSelector: namespaceSelector(e.namespace), podSelector };
}

/** A stable key of a peer (label order does not matter), which also orders the rules. */
function peerKey(p: NetworkPolicyPeer): string {
  const ns = p.namespaceSelector ? selectorKey(p.namespaceSelector) : '';
  const pods = p.podSelector ? selectorKey(p.podSelector) : '';
  return `${p.ipBlock?.cidr ?? ''}|${ns}|${pods}`;
}

interface PeerPorts {
  readonly peer: NetworkPolicyPeer;
  readonly ports: PortRef[];
}

/** One rule per peer, with the union of its ports, sorted by peer. */
function merge(rules: readonly PeerPorts[]): { peer: NetworkPolicyPeer; ports: NetworkPolicyPort[] }[] {
  const byPeer = new Map<string, PeerPorts>();
  for (const r of rules) {
    const k = peerKey(r.peer);
    const cur = byPeer.get(k) ?? { peer: r.peer, ports: [] };
    cur.ports.push(...r.ports);
    byPeer.set(k, cur);
  }
  return [...byPeer.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, v]) => ({ peer: v.peer, ports: l4Ports(v.ports) }));
}

export function ingressRules(spec: RegistrySpec, c: Component, edges: readonly Edge[]): NetworkPolicyIngressRule[] {
  const rules: PeerPorts[] = [];
  for (const e of edges) {
    if (e.to.kind === 'component' && e.to.endpoint.component.name === c.name) rules.push({ peer: endpointPeer(spec, e.from), ports: [...e.ports] });
  }
  const exposed = exposedPort(c);
  if (exposed) {
    const gw = spec.mesh.ingressGateway;
    rules.push({ peer: { namespaceSelector: namespaceSelector(gw.namespace), podSelector: { matchLabels: { ...gw.selector } } }, ports: [exposed] });
  }
  return merge(rules).map((r) => ({ from: [r.peer], ports: r.ports }));
}

export function egressRules(spec: RegistrySpec, c: Component, edges: readonly Edge[]): NetworkPolicyEgressRule[] {
  const rules: PeerPorts[] = [];
  for (const e of edges) {
    if (e.from.component.name !== c.name) continue;
    const peer: NetworkPolicyPeer = e.to.kind === 'cidr' ? { ipBlock: { cidr: e.to.cidr } } : endpointPeer(spec, e.to.endpoint);
    rules.push({ peer, ports: [...e.ports] });
  }
  return merge(rules).map((r) => ({ to: [r.peer], ports: r.ports }));
}

export class NetworkIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NetworkIsolationProps) {
    super(scope, id);
    const { spec } = props;
    const edges = props.edges ?? resolveEdges(spec);
    const ns = spec.namespace;
    new KubeNetworkPolicy(this, PolicyNames.defaultDeny, { metadata: { name: PolicyNames.defaultDeny, namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
    new KubeNetworkPolicy(this, PolicyNames.allowDns, {
      metadata: { name: PolicyNames.allowDns, namespace: ns },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ namespaceSelector: namespaceSelector(KUBE_DNS.namespace), podSelector: { matchLabels: { ...KUBE_DNS.selector } } }],
            ports: l4Ports([{ port: KUBE_DNS.port, protocol: 'UDP' }, { port: KUBE_DNS.port, protocol: 'TCP' }]),
          },
        ],
      },
    });
    if (spec.mesh.sidecarInjection) {
      new KubeNetworkPolicy(this, PolicyNames.allowIstiod, {
        metadata: { name: PolicyNames.allowIstiod, namespace: ns },
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: namespaceSelector(spec.mesh.istiodNamespace), podSelector: { matchLabels: { ...ISTIOD.selector } } }], ports: l4Ports([{ port: ISTIOD.port, protocol: 'TCP' }]) }],
        },
      });
    }
    const { into, outOf } = indexEdges(edges);
    for (const c of localComponents(spec)) this.componentPolicy(spec, c, into.get(c.name) ?? [], outOf.get(c.name) ?? []);
  }

  private componentPolicy(spec: RegistrySpec, c: Component, into: readonly Edge[], outOf: readonly Edge[]): void {
    const ingress = ingressRules(spec, c, into);
    const egress = egressRules(spec, c, outOf);
    if (ingress.length === 0 && egress.length === 0) return;
    const policyTypes = [...(ingress.length > 0 ? ['Ingress'] : []), ...(egress.length > 0 ? ['Egress'] : [])];
    new KubeNetworkPolicy(this, `component-${c.name}`, {
      metadata: { name: c.name, namespace: spec.namespace },
      spec: {
        podSelector: { matchLabels: { ...c.selector } },
        policyTypes,
        ...(ingress.length > 0 ? { ingress } : {}),
        ...(egress.length > 0 ? { egress } : {}),
      },
    });
  }
}
