import { Construct } from 'constructs';
import {
  ServiceEntry,
  ServiceEntrySpecLocation,
  ServiceEntrySpecResolution,
  Sidecar,
  SidecarSpecOutboundTrafficPolicyMode,
} from '../imports/networking.istio.io.js';
import {
  AuthorizationPolicy,
  AuthorizationPolicySpecAction,
  PeerAuthentication,
  PeerAuthenticationSpecMtlsMode,
  type AuthorizationPolicySpecRules,
} from '../imports/security.istio.io.js';
import { Annotations } from '../kube.js';
import { ALLOW_PREFIX, PolicyNames, type Component, type ExposureAuth, type RegistrySpec } from '../model/index.js';
import { requestPrincipals, tokenConditions } from './edge.js';
import {
  cidrSlug,
  compareStrings,
  endpointPrincipal,
  exposedPort,
  indexEdges,
  ingressGatewayPrincipal,
  isLocal,
  localComponents,
  mtlsExceptionAnnotations,
  resolveEdges,
  uniquePorts,
  type Edge,
  type PortRef,
} from './common.js';

/**
 * Istio mesh security for the registry namespace:
 * - PeerAuthentication `default` (namespace-wide, mode from the spec, STRICT by default; a weaker
 *   mode carries its reason and a waiver of WARD-MTLS-006 with it) and, with `mesh.meshWide`, a
 *   STRICT one in the root namespace. No DestinationRule: auto-mTLS already uses
 *   mTLS towards STRICT servers, and a `tls` block could only weaken it.
 * - AuthorizationPolicy `allow-nothing` (`spec: {}`), then per destination component one ALLOW
 *   `allow-<component>` with one rule per source principal (`to.operation.ports`), and one for the
 *   ingress gateway's principal when the component is exposed.
 * - Sidecar `default`: egress only to the namespace, istiod's namespace and the namespaces of
 *   cross-namespace flow targets; outbound traffic REGISTRY_ONLY.
 * - ServiceEntry `external-<cidr>` per external TCP destination (REGISTRY_ONLY would black-hole it).
 *
 * Istio authorization `ports` apply to TCP only and sidecars do not proxy UDP: UDP flows get no L7
 * rule (they are allowed at L4 by the NetworkPolicies alone), instead of a rule that would claim to
 * govern them.
 */
export interface MeshSecurityProps {
  /** The parsed spec (`parseRegistrySpec`): its namespace, components, flows and mesh settings. */
  readonly spec: RegistrySpec;
  /**
   * The spec's flows merged by their ends; pass them when several constructs share one spec.
   * @default resolveEdges(spec)
   */
  readonly edges?: readonly Edge[];
}

export const ALLOW_NOTHING = PolicyNames.allowNothing;

/** The check's rule for a PeerAuthentication weaker than STRICT (policies/rules/mtls.ts `MTLS_WEAK_POLICY`). */
export const MTLS_WEAK_POLICY_RULE = 'WARD-MTLS-006';

/**
 * The PeerAuthentication's annotations when mTLS is weaker than STRICT: the exception reason and a
 * waiver of the weak-mode finding carrying the same reason, so every report shows it as waived.
 * Line breaks in the reason become spaces (the waiver annotation holds one waiver per line).
 */
export function peerAuthenticationAnnotations(spec: RegistrySpec): Record<string, string> {
  const annotations = mtlsExceptionAnnotations(spec);
  if (Object.keys(annotations).length === 0) return annotations;
  const reason = (spec.mesh.mtlsReason ?? '').replace(/\s+/g, ' ').trim();
  return { ...annotations, [Annotations.waive]: `${MTLS_WEAK_POLICY_RULE}: ${reason}` };
}

function tcpPorts(ports: readonly PortRef[]): string[] {
  return uniquePorts(ports)
    .filter((p) => p.protocol === 'TCP')
    .map((p) => String(p.port));
}

/** The source principal, with the token requirement of `auth` when the caller must present one (edge.ts). */
function rule(source: string, ports: readonly string[], auth: ExposureAuth | undefined): AuthorizationPolicySpecRules {
  if (auth === undefined) return { from: [{ source: { principals: [source] } }], to: [{ operation: { ports: [...ports] } }] };
  const when = tokenConditions(auth);
  return { from: [{ source: { principals: [source], requestPrincipals: requestPrincipals(auth) } }], to: [{ operation: { ports: [...ports] } }], ...(when.length > 0 ? { when } : {}) };
}

/** One rule per source principal that may reach `c` over TCP, sorted by principal. */
export function allowRules(spec: RegistrySpec, c: Component, edges: readonly Edge[]): AuthorizationPolicySpecRules[] {
  const bySource = new Map<string, PortRef[]>();
  for (const e of edges) {
    if (e.to.kind !== 'component' || e.to.endpoint.component.name !== c.name) continue;
    const p = endpointPrincipal(e.from);
    bySource.set(p, [...(bySource.get(p) ?? []), ...e.ports]);
  }
  const exposed = exposedPort(c);
  const gateway = ingressGatewayPrincipal(spec);
  if (exposed) bySource.set(gateway, [...(bySource.get(gateway) ?? []), exposed]);
  const auth = c.exposure.auth;
  const tokenFrom = (p: string): ExposureAuth | undefined => (auth !== undefined && (auth.inMesh || (exposed !== undefined && p === gateway)) ? auth : undefined);
  return [...bySource.entries()]
    .map(([p, ports]) => [p, tcpPorts(ports)] as const)
    .filter(([, ports]) => ports.length > 0)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([p, ports]) => rule(p, ports, tokenFrom(p)));
}

/** Namespaces the Sidecar must let workloads reach: the namespace itself, istiod's, and cross-namespace flow targets. */
export function sidecarEgressHosts(spec: RegistrySpec, edges: readonly Edge[]): string[] {
  const namespaces = new Set<string>([spec.mesh.istiodNamespace]);
  for (const e of edges) {
    if (e.to.kind === 'component' && !isLocal(spec, e.to.endpoint) && isLocal(spec, e.from)) namespaces.add(e.to.endpoint.namespace);
  }
  namespaces.delete(spec.namespace);
  return ['./*', ...[...namespaces].sort(compareStrings).map((n) => `${n}/*`)];
}

/** External destinations (CIDRs) reached from this namespace over TCP, with their ports. */
export function externalTcpTargets(spec: RegistrySpec, edges: readonly Edge[]): Map<string, string[]> {
  const byCidr = new Map<string, PortRef[]>();
  for (const e of edges) {
    if (e.to.kind === 'cidr' && isLocal(spec, e.from)) byCidr.set(e.to.cidr, [...(byCidr.get(e.to.cidr) ?? []), ...e.ports]);
  }
  const out = new Map<string, string[]>();
  for (const cidr of [...byCidr.keys()].sort(compareStrings)) {
    const ports = tcpPorts(byCidr.get(cidr) ?? []);
    if (ports.length > 0) out.set(cidr, ports);
  }
  return out;
}

export class MeshSecurity extends Construct {
  constructor(scope: Construct, id: string, props: MeshSecurityProps) {
    super(scope, id);
    const { spec } = props;
    const edges = props.edges ?? resolveEdges(spec);
    this.peerAuthentication(spec);
    new AuthorizationPolicy(this, ALLOW_NOTHING, { metadata: { name: ALLOW_NOTHING, namespace: spec.namespace }, spec: {} });
    const { into } = indexEdges(edges);
    for (const c of localComponents(spec)) {
      const rules = allowRules(spec, c, into.get(c.name) ?? []);
      if (rules.length === 0) continue;
      new AuthorizationPolicy(this, `${ALLOW_PREFIX}${c.name}`, {
        metadata: { name: `${ALLOW_PREFIX}${c.name}`, namespace: spec.namespace },
        spec: { action: AuthorizationPolicySpecAction.ALLOW, selector: { matchLabels: { ...c.selector } }, rules },
      });
    }
    new Sidecar(this, 'sidecar', {
      metadata: { name: 'default', namespace: spec.namespace },
      spec: {
        egress: [{ hosts: sidecarEgressHosts(spec, edges) }],
        outboundTrafficPolicy: { mode: SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY },
      },
    });
    this.serviceEntries(spec, edges);
  }

  private peerAuthentication(spec: RegistrySpec): void {
    const annotations = peerAuthenticationAnnotations(spec);
    new PeerAuthentication(this, 'peer-authentication', {
      metadata: { name: 'default', namespace: spec.namespace, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
      spec: { mtls: { mode: spec.mesh.mtlsMode as PeerAuthenticationSpecMtlsMode } },
    });
    if (spec.mesh.meshWide) {
      new PeerAuthentication(this, 'peer-authentication-mesh', {
        metadata: { name: 'default', namespace: spec.mesh.rootNamespace },
        spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
      });
    }
  }

  private serviceEntries(spec: RegistrySpec, edges: readonly Edge[]): void {
    for (const [cidr, ports] of externalTcpTargets(spec, edges)) {
      const name = `external-${cidrSlug(cidr)}`;
      new ServiceEntry(this, name, {
        metadata: { name, namespace: spec.namespace },
        spec: {
          hosts: [`${name}.${spec.namespace}.ward.invalid`],
          addresses: [cidr],
          ports: ports.map((p) => ({ number: Number(p), name: `tcp-${p}`, protocol: 'TCP' })),
          location: ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
          resolution: ServiceEntrySpecResolution.NONE,
          exportTo: ['.'],
        },
      });
    }
  }
}
