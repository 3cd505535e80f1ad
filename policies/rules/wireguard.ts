/**
 * WG: the WireGuard admin gateway — private keys outside Secrets, AllowedIPs too wide on the server
 * or the client, NET_ADMIN/privileged outside the gateway namespace, the gateway namespace without
 * default-deny, more than the UDP listen port exposed, client keys generated on the server. Messages
 * never contain key material.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { allowedIps, isDefaultRoute, looksLikeWireguardConfig, parseWireguardConfig, prefixLength, type ConfigSection } from '../../charts-src/wireguard/config-text.js';
import { isWireguardKey } from '../../charts-src/wireguard/keys.js';
import { num, rec, recs, str, strMap, strs } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';
import type { Finding, Rule } from '../types.js';
import { isDefaultDeny } from './net.js';
import { cis, defineRule, findingOf, namespaceObject, NSA } from './util.js';

export const WG_PRIVATE_KEY_EXPOSED = 'WARD-WG-001';
export const WG_SERVER_ALLOWED_IPS_WIDE = 'WARD-WG-002';
export const WG_CLIENT_FULL_TUNNEL = 'WARD-WG-003';
export const WG_NET_ADMIN_OUTSIDE_GATEWAY = 'WARD-WG-004';
export const WG_GATEWAY_NO_DEFAULT_DENY = 'WARD-WG-005';
export const WG_EXTRA_PORTS_EXPOSED = 'WARD-WG-006';
export const WG_SERVER_GENERATED_PEERS = 'WARD-WG-007';

/** ConfigMap values that hold WireGuard configuration text, with their data key. */
function configTexts(cm: KubeObject): { key: string; sections: ConfigSection[] }[] {
  return Object.entries(strMap(cm.data))
    .filter(([, text]) => looksLikeWireguardConfig(text))
    .map(([key, text]) => ({ key, sections: parseWireguardConfig(text) }));
}

function isServerConfig(sections: readonly ConfigSection[]): boolean {
  return sections.some((s) => s.kind === 'Interface' && s.values.has('listenport'));
}

/** A WireGuard gateway workload: a wireguard image, a UDP port named wireguard/wg, or UDP 51820. */
export function isWireguardWorkload(w: Workload): boolean {
  return w.containers.some((c) => {
    if (/wireguard/i.test(str(c.container.image) ?? '')) return true;
    return recs(c.container.ports).some((p) => str(p.protocol) === 'UDP' && (/^(wireguard|wg)/i.test(str(p.name) ?? '') || num(p.containerPort) === 51820));
  });
}

/** Namespaces whose workloads are all WireGuard gateways (and that have at least one). */
export function gatewayNamespaces(index: ObjectIndex): Set<string> {
  const out = new Set<string>();
  for (const w of index.workloads) if (isWireguardWorkload(w)) out.add(w.namespace);
  for (const w of index.workloads) if (!isWireguardWorkload(w)) out.delete(w.namespace);
  return out;
}

function privateKeyInConfigMap(index: ObjectIndex, rule: Rule): Finding[] {
  return index.ofKind('ConfigMap').flatMap((cm) =>
    Object.entries(strMap(cm.data)).flatMap(([key, value]) => {
      const inConfig = looksLikeWireguardConfig(value) && parseWireguardConfig(value).some((s) => (s.values.get('privatekey') ?? []).some((v) => v !== ''));
      const bare = /priv/i.test(key) && isWireguardKey(value.trim());
      if (!inConfig && !bare) return [];
      return [findingOf(index, rule, cm, `ConfigMap ${index.ref(cm).namespace ?? ''}/${cm.metadata.name} key "${key}" holds a WireGuard private key: ConfigMaps are readable by anyone who can list them`, { path: ['data', key] })];
    }),
  );
}

function privateKeyInEnv(index: ObjectIndex, rule: Rule): Finding[] {
  return index.workloads.flatMap((w) =>
    w.containers.flatMap((c) =>
      recs(c.container.env).flatMap((e, i) => {
        const name = str(e.name) ?? '';
        const value = str(e.value);
        if (value === undefined) return [];
        const literalKey = /priv/i.test(name) && isWireguardKey(value.trim());
        const inConfig = /PrivateKey\s*=\s*\S/i.test(value);
        if (!literalKey && !inConfig) return [];
        return [findingOf(index, rule, w.object, `${w.ref.kind} ${w.namespace}/${w.ref.name} container "${c.name}" env ${name} is a literal WireGuard private key`, { path: [...c.path, 'env', i, 'value'] })];
      }),
    ),
  );
}

const privateKeyExposed: Rule = defineRule({
  id: WG_PRIVATE_KEY_EXPOSED, title: 'WireGuard private key outside a Secret', severity: 'critical',
  rationale: 'Whoever reads a WireGuard private key can impersonate the gateway or an administrator. ConfigMaps and literal env values are readable far more widely than Secrets and end up in manifests and Git.',
  remediation: 'Keep the private key in a Secret mounted as a file (ward: spec.wireguard.privateKeySecret); rotate the exposed key.',
  controls: { cis1_12: cis('5.4.1'), nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) => [...privateKeyInConfigMap(index, privateKeyExposed), ...privateKeyInEnv(index, privateKeyExposed)],
});

const serverAllowedIpsWide: Rule = defineRule({
  id: WG_SERVER_ALLOWED_IPS_WIDE, title: 'WireGuard server peer AllowedIPs wider than /32', severity: 'high',
  rationale: 'On the server, a peer\'s AllowedIPs is both its route and its inbound source filter: anything wider than its own /32 lets one administrator send as, or receive the traffic of, other addresses.',
  remediation: 'Give each peer exactly one /32 inside the tunnel subnet (ward wg peer allocates it).',
  controls: { nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) =>
    index.ofKind('ConfigMap').flatMap((cm) =>
      configTexts(cm)
        .filter(({ sections }) => isServerConfig(sections))
        .flatMap(({ key, sections }) =>
          sections
            .filter((s) => s.kind === 'Peer' && !s.values.has('endpoint'))
            .flatMap((s) => allowedIps(s).filter((ip) => !ip.includes(':') && prefixLength(ip) < 32).map((ip) => ({ s, ip })))
            .map(({ s, ip }) => findingOf(index, serverAllowedIpsWide, cm, `ConfigMap ${index.ref(cm).namespace ?? ''}/${cm.metadata.name} key "${key}": server peer #${String(s.index)} has AllowedIPs ${ip}, wider than one /32`, { path: ['data', key] })),
        ),
    ),
});

function clientFullTunnelInEnv(index: ObjectIndex, rule: Rule): Finding[] {
  return index.workloads.flatMap((w) =>
    w.containers.flatMap((c) =>
      recs(c.container.env).flatMap((e, i) => {
        const value = str(e.value) ?? '';
        if (!/allowed_?ips/i.test(str(e.name) ?? '') || !value.split(',').some((v) => isDefaultRoute(v.trim()))) return [];
        return [findingOf(index, rule, w.object, `${w.ref.kind} ${w.namespace}/${w.ref.name} container "${c.name}" env ${str(e.name) ?? ''} gives clients AllowedIPs ${value}: every client route goes through the tunnel`, { path: [...c.path, 'env', i, 'value'] })];
      }),
    ),
  );
}

const clientFullTunnel: Rule = defineRule({
  id: WG_CLIENT_FULL_TUNNEL, title: 'WireGuard client AllowedIPs 0.0.0.0/0', severity: 'high',
  rationale: 'A client config with AllowedIPs 0.0.0.0/0 sends all of the administrator\'s traffic through the gateway: the gateway becomes an open egress proxy into and out of the cluster network.',
  remediation: 'Split tunnel: AllowedIPs only the admin gateway address range (ward wg peer does this).',
  controls: { nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => [
    ...index.ofKind('ConfigMap').flatMap((cm) =>
      configTexts(cm).flatMap(({ key, sections }) =>
        sections
          .filter((s) => s.kind === 'Peer' && (s.values.has('endpoint') || !isServerConfig(sections)))
          .filter((s) => allowedIps(s).some(isDefaultRoute))
          .map((s) => findingOf(index, clientFullTunnel, cm, `ConfigMap ${index.ref(cm).namespace ?? ''}/${cm.metadata.name} key "${key}": client peer #${String(s.index)} routes everything through the tunnel (AllowedIPs ${allowedIps(s).filter(isDefaultRoute).join(', ')})`, { path: ['data', key] })),
      ),
    ),
    ...clientFullTunnelInEnv(index, clientFullTunnel),
  ],
});

function netAdminOrPrivileged(container: Readonly<Record<string, unknown>>): string | undefined {
  const sc = rec(container.securityContext);
  if (sc.privileged === true) return 'runs privileged';
  const add = strs(rec(sc.capabilities).add).map((c) => c.toUpperCase().replace(/^CAP_/, ''));
  if (add.includes('NET_ADMIN') || add.includes('ALL')) return 'adds NET_ADMIN';
  return undefined;
}

/** The first container of a WireGuard workload that adds NET_ADMIN or runs privileged (Istio's own `istio-init` aside), with what it does. */
function privilegedGatewayContainer(w: Workload): { container: Workload['containers'][number]; what: string } | undefined {
  for (const c of w.containers) {
    // Istio's own init container (without istio-cni) adds NET_ADMIN to redirect traffic; WARD-POD-008 covers it.
    if (c.kind === 'initContainer' && c.name === 'istio-init') continue;
    const what = netAdminOrPrivileged(c.container);
    if (what !== undefined) return { container: c, what };
  }
  return undefined;
}

/**
 * WG-004 owns one fact: a WireGuard gateway, which needs NET_ADMIN, does not run alone in its own
 * namespace. NET_ADMIN or privileged on any other container is WARD-POD-008's or WARD-POD-001's fact,
 * reported there once (a stack without WireGuard gets no WG finding).
 */
const netAdminOutsideGateway: Rule = defineRule({
  id: WG_NET_ADMIN_OUTSIDE_GATEWAY, title: 'WireGuard gateway with NET_ADMIN not alone in its namespace', severity: 'high',
  rationale: 'NET_ADMIN lets the gateway rewrite routes and firewall rules; only it needs that, so it runs alone in its own namespace, where NetworkPolicy, RBAC and Pod Security can be as tight as it allows without loosening them for other workloads.',
  remediation: 'Run the WireGuard gateway alone in its own namespace (ward: spec.wireguard.namespace) and move the other workloads out.',
  controls: { cis1_12: cis('5.2.9'), nsa: NSA.podSecurity, owasp2025: 'K01' },
  check: (index) => index.workloads.filter(isWireguardWorkload).flatMap((w): Finding[] => {
    const hit = privilegedGatewayContainer(w);
    const others = index.workloadsIn(w.namespace).filter((o) => !isWireguardWorkload(o));
    if (hit === undefined || others.length === 0) return [];
    const named = others.slice(0, 3).map((o) => `${o.ref.kind} ${o.namespace}/${o.ref.name}`).join(', ') + (others.length > 3 ? ` and ${String(others.length - 3)} more` : '');
    return [findingOf(index, netAdminOutsideGateway, w.object,
      `${w.ref.kind} ${w.namespace}/${w.ref.name}, a WireGuard gateway whose container "${hit.container.name}" ${hit.what}, shares namespace ${w.namespace} with ${named}: run it alone in its own namespace`,
      { path: [...hit.container.path, 'securityContext'] })];
  }),
});

const gatewayNoDefaultDeny: Rule = defineRule({
  id: WG_GATEWAY_NO_DEFAULT_DENY, title: 'WireGuard gateway namespace without default-deny', severity: 'high',
  rationale: 'The gateway namespace is the only privileged one: without a default-deny for Ingress and Egress, a compromised gateway reaches every pod and the internet.',
  remediation: 'Add a NetworkPolicy with podSelector {} and policyTypes [Ingress, Egress] in the gateway namespace, then allow only UDP on the listen port in and the admin gateway and DNS out.',
  controls: { cis1_12: cis('5.3.2'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) =>
    [...gatewayNamespaces(index)].sort().flatMap((ns) => {
      const policies = index.inNamespace('NetworkPolicy', ns);
      const missing = (['Ingress', 'Egress'] as const).filter((dir) => !policies.some((np) => isDefaultDeny(np, dir)));
      if (missing.length === 0) return [];
      return [findingOf(index, gatewayNoDefaultDeny, namespaceObject(index, ns), `WireGuard gateway namespace ${ns} has no default-deny ${missing.join(' and ')} NetworkPolicy`)];
    }),
});

function listenPorts(w: Workload): Set<number> {
  const out = new Set<number>();
  for (const c of w.containers) for (const p of recs(c.container.ports)) if (str(p.protocol) === 'UDP' && num(p.containerPort) !== undefined) out.add(num(p.containerPort) ?? 0);
  return out;
}

function extraServicePorts(index: ObjectIndex, rule: Rule): Finding[] {
  return index.ofKind('Service').flatMap((svc) => {
    const targets = index.serviceTargets(svc).filter(isWireguardWorkload);
    if (targets.length === 0) return [];
    const allowed = new Set(targets.flatMap((w) => [...listenPorts(w)]));
    return recs(rec(svc.spec).ports).flatMap((p, i) => {
      const target = num(p.targetPort) ?? num(p.port);
      if ((str(p.protocol) ?? 'TCP') === 'UDP' && target !== undefined && allowed.has(target)) return [];
      return [findingOf(index, rule, svc, `Service ${index.ref(svc).namespace ?? ''}/${svc.metadata.name} exposes ${str(p.protocol) ?? 'TCP'} ${String(num(p.port) ?? '?')} of the WireGuard gateway: only the UDP listen port may be exposed`, { path: ['spec', 'ports', i] })];
    });
  });
}

function openIngress(index: ObjectIndex, rule: Rule): Finding[] {
  return index.ofKind('NetworkPolicy').flatMap((np) => {
    const targets = index.policyTargets(np).filter(isWireguardWorkload);
    if (targets.length === 0) return [];
    const allowed = new Set(targets.flatMap((w) => [...listenPorts(w)]));
    return recs(rec(np.spec).ingress).flatMap((r, i) => {
      const ports = recs(r.ports);
      const ok = ports.length > 0 && ports.every((p) => str(p.protocol) === 'UDP' && allowed.has(num(p.port) ?? -1) && p.endPort === undefined);
      if (ok) return [];
      return [findingOf(index, rule, np, `NetworkPolicy ${index.ref(np).namespace ?? ''}/${np.metadata.name} ingress rule #${String(i)} lets in more than the WireGuard UDP listen port`, { path: ['spec', 'ingress', i] })];
    });
  });
}

const extraPortsExposed: Rule = defineRule({
  id: WG_EXTRA_PORTS_EXPOSED, title: 'More than the WireGuard listen port exposed', severity: 'medium',
  rationale: 'The gateway needs exactly one inbound port, UDP on its listen port; a web UI or SSH port on the same pod is reachable from wherever the tunnel endpoint is.',
  remediation: 'Expose only the UDP listen port in the Service and in the gateway\'s ingress NetworkPolicy.',
  controls: { nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => [...extraServicePorts(index, extraPortsExposed), ...openIngress(index, extraPortsExposed)],
});

/** Why a container generates client key pairs on the server, or undefined. */
function serverSidePeers(container: Readonly<Record<string, unknown>>): string | undefined {
  const image = str(container.image) ?? '';
  if (/wg-easy/i.test(image)) return `runs ${image}, which generates every client's key pair on the server`;
  if (!/linuxserver\/wireguard/i.test(image)) return undefined;
  const peers = recs(container.env).find((e) => str(e.name) === 'PEERS' && (str(e.value) ?? '') !== '');
  return peers === undefined ? undefined : `generates client key pairs on the server (PEERS=${str(peers.value) ?? ''})`;
}

const serverGeneratedPeers: Rule = defineRule({
  id: WG_SERVER_GENERATED_PEERS, title: 'WireGuard client keys generated on the server', severity: 'high',
  rationale: 'When the gateway generates the peers (linuxserver/wireguard PEERS, wg-easy), the server holds every administrator\'s private key: one compromise or one backup leak impersonates them all.',
  remediation: 'Have each administrator generate their key pair locally (ward wg peer) and give the gateway public keys only.',
  controls: { nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) =>
    index.workloads.flatMap((w) =>
      w.containers.flatMap((c) => {
        const what = serverSidePeers(c.container);
        return what === undefined ? [] : [findingOf(index, serverGeneratedPeers, w.object, `${w.ref.kind} ${w.namespace}/${w.ref.name} container "${c.name}" ${what}: the server holds the administrators' private keys`, { path: c.path })];
      }),
    ),
});

export const wireguardRules: readonly Rule[] = [privateKeyExposed, serverAllowedIpsWide, clientFullTunnel, netAdminOutsideGateway, gatewayNoDefaultDeny, extraPortsExposed, serverGeneratedPeers];
