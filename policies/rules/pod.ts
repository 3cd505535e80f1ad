/**
 * POD: Pod Security Standards (restricted) for every container — init and ephemeral included —
 * honouring pod-level securityContext inheritance; host access; UIDs; images; resources; tokens.
 */
import { arr, bool, num, rec, recs, str, strs, type Rec } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import { describeContainer, type ContainerEntry, type Workload } from '../index/workloads.js';
import type { FieldPath } from '../load/types.js';
import type { Finding, Rule } from '../types.js';
import { celStrings, effective as celEffective, everyContainer, workloadCel } from '../guard/cel.js';
import { cis, defineRule, findingOf, NSA } from './util.js';

export const POD_PRIVILEGED = 'WARD-POD-001';
export const POD_PRIVILEGE_ESCALATION = 'WARD-POD-002';
export const POD_RUN_AS_NON_ROOT = 'WARD-POD-003';
export const POD_UID_ZERO = 'WARD-POD-004';
export const POD_UID_PROXY = 'WARD-POD-005';
export const POD_SECCOMP = 'WARD-POD-006';
export const POD_DROP_ALL = 'WARD-POD-007';
export const POD_ADDED_CAPS = 'WARD-POD-008';
export const POD_HOST_NAMESPACES = 'WARD-POD-009';
export const POD_HOST_PATH = 'WARD-POD-010';
export const POD_HOST_PORT = 'WARD-POD-011';
export const POD_VOLUME_TYPES = 'WARD-POD-012';
export const POD_READ_ONLY_ROOT = 'WARD-POD-013';
export const POD_RESOURCES = 'WARD-POD-014';
export const POD_IMAGE_LATEST = 'WARD-POD-015';
export const POD_IMAGE_DIGEST = 'WARD-POD-016';
export const POD_TOKEN_AUTOMOUNT = 'WARD-POD-017';
export const POD_SYSCTLS = 'WARD-POD-018';
export const POD_MAC_PROFILES = 'WARD-POD-019';

/** A value of the container's securityContext, else the pod's (the fields the pod level can set). */
function effective(w: Workload, c: ContainerEntry, field: string): unknown {
  const own = rec(c.container.securityContext)[field];
  return own !== undefined && own !== null ? own : rec(w.podSpec.securityContext)[field];
}

function scPath(c: ContainerEntry, field: string, w: Workload): FieldPath {
  if (rec(c.container.securityContext)[field] !== undefined) return [...c.path, 'securityContext', field];
  if (rec(w.podSpec.securityContext)[field] !== undefined) return [...w.podSpecPath, 'securityContext', field];
  return c.path;
}

type ContainerCheck = (w: Workload, c: ContainerEntry, index: ObjectIndex) => { message: string; path?: FieldPath; remediation?: string } | undefined;

function perContainer(rule: () => Rule, check: ContainerCheck, kinds: readonly ContainerEntry['kind'][] = ['container', 'initContainer', 'ephemeralContainer']) {
  return (index: ObjectIndex): Finding[] => {
    const out: Finding[] = [];
    for (const w of index.workloads) {
      for (const c of w.containers) {
        if (!kinds.includes(c.kind)) continue;
        const hit = check(w, c, index);
        if (hit) out.push(findingOf(index, rule(), w.object, hit.message, { path: hit.path ?? c.path, ...(hit.remediation === undefined ? {} : { remediation: hit.remediation }) }));
      }
    }
    return out;
  };
}

type PodCheck = (w: Workload, index: ObjectIndex) => { message: string; path: FieldPath }[];

function perPod(rule: () => Rule, check: PodCheck) {
  return (index: ObjectIndex): Finding[] =>
    index.workloads.flatMap((w) => check(w, index).map((hit) => findingOf(index, rule(), w.object, hit.message, { path: hit.path })));
}

const wref = (w: Workload): string => `${w.ref.kind} ${w.namespace}/${w.ref.name}`;

const privileged: Rule = defineRule({
  id: POD_PRIVILEGED, title: 'Privileged container', severity: 'critical',
  rationale: 'A privileged container has every capability and the host devices: a container escape is one step away.',
  remediation: 'Remove securityContext.privileged (or set it to false).',
  controls: { cis1_12: cis('5.2.2'), nsa: NSA.podSecurity, owasp2025: 'K01' },
  cel: workloadCel('a container runs privileged', everyContainer('!c.?securityContext.?privileged.orValue(false)')),
  check: perContainer(() => privileged, (w, c) => rec(c.container.securityContext).privileged === true
    ? { message: `${describeContainer(w, c)} runs privileged: remove securityContext.privileged`, path: [...c.path, 'securityContext', 'privileged'] } : undefined),
});

const escalation: Rule = defineRule({
  id: POD_PRIVILEGE_ESCALATION, title: 'Privilege escalation allowed', severity: 'high',
  rationale: 'Without allowPrivilegeEscalation: false a process can gain more privileges than its parent (setuid binaries). Required by Pod Security restricted on every container, init and ephemeral included.',
  remediation: 'Set securityContext.allowPrivilegeEscalation: false on the container.',
  controls: { cis1_12: cis('5.2.6'), nsa: NSA.podSecurity, owasp2025: 'K01' },
  cel: workloadCel('a container does not set allowPrivilegeEscalation: false', everyContainer('c.?securityContext.?allowPrivilegeEscalation.orValue(true) == false')),
  check: perContainer(() => escalation, (w, c) => rec(c.container.securityContext).allowPrivilegeEscalation === false ? undefined
    : { message: `${describeContainer(w, c)} does not set allowPrivilegeEscalation: false`, path: [...c.path, 'securityContext'] }),
});

const nonRoot: Rule = defineRule({
  id: POD_RUN_AS_NON_ROOT, title: 'runAsNonRoot not set', severity: 'high',
  rationale: 'Without runAsNonRoot: true (on the container or inherited from the pod) the kubelet lets an image that runs as root start.',
  remediation: 'Set securityContext.runAsNonRoot: true at pod level (inherited by every container) or on the container.',
  controls: { cis1_12: cis('5.2.7'), nsa: NSA.nonRoot, owasp2025: 'K01' },
  cel: workloadCel('a container may run as root: runAsNonRoot is not true on the container or the pod', everyContainer(`${celEffective('runAsNonRoot', 'false')} == true`)),
  check: perContainer(() => nonRoot, (w, c) => effective(w, c, 'runAsNonRoot') === true ? undefined
    : { message: `${describeContainer(w, c)} may run as root: runAsNonRoot is not true on the container or the pod`, path: scPath(c, 'runAsNonRoot', w) }),
});

const uidZero: Rule = defineRule({
  id: POD_UID_ZERO, title: 'Runs as UID 0', severity: 'critical',
  rationale: 'runAsUser: 0 runs the container as root, which Pod Security restricted forbids.',
  remediation: 'Set runAsUser to a non-zero UID (e.g. 10001) and make the image work as that user.',
  controls: { cis1_12: cis('5.2.7'), nsa: NSA.nonRoot, owasp2025: 'K01' },
  cel: workloadCel('a container runs as UID 0 (root)', everyContainer(`${celEffective('runAsUser', '-1')} != 0`)),
  check: perContainer(() => uidZero, (w, c) => num(effective(w, c, 'runAsUser')) === 0
    ? { message: `${describeContainer(w, c)} runs as UID 0 (root): set runAsUser to a non-zero UID`, path: scPath(c, 'runAsUser', w) } : undefined),
});

const uidProxy: Rule = defineRule({
  id: POD_UID_PROXY, title: 'Runs as UID 1337 (the Istio proxy UID)', severity: 'high',
  rationale: 'Istio exempts traffic from UID 1337 from redirection: an application container running as 1337 bypasses its sidecar, mTLS and authorization policy.',
  remediation: 'Run the application as another UID; 1337 belongs to istio-proxy.',
  controls: { cis1_12: cis('5.7.3'), nsa: NSA.encryption, owasp2025: 'K05' },
  cel: workloadCel('a container other than istio-proxy runs as UID 1337, the Istio proxy UID, and so bypasses the sidecar', everyContainer(`c.name == 'istio-proxy' || ${celEffective('runAsUser', '-1')} != 1337`)),
  check: perContainer(() => uidProxy, (w, c) => c.name !== 'istio-proxy' && num(effective(w, c, 'runAsUser')) === 1337
    ? { message: `${describeContainer(w, c)} runs as UID 1337, the Istio proxy UID, and so bypasses the sidecar: use another UID`, path: scPath(c, 'runAsUser', w) } : undefined),
});

const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);
const seccomp: Rule = defineRule({
  id: POD_SECCOMP, title: 'No seccomp profile', severity: 'medium',
  rationale: 'Pod Security restricted requires seccompProfile RuntimeDefault or Localhost on the pod or every container.',
  remediation: 'Set securityContext.seccompProfile.type: RuntimeDefault at pod level.',
  controls: { cis1_12: cis('5.7.2'), nsa: NSA.hardening, owasp2025: 'K01' },
  cel: workloadCel('a container has no RuntimeDefault or Localhost seccomp profile (container or pod)', everyContainer("(c.?securityContext.?seccompProfile.hasValue() ? c.securityContext.seccompProfile.type : variables.podSpec.?securityContext.?seccompProfile.?type.orValue('')) in ['RuntimeDefault', 'Localhost']")),
  check: perContainer(() => seccomp, (w, c) => SECCOMP_OK.has(str(rec(effective(w, c, 'seccompProfile')).type) ?? '') ? undefined
    : { message: `${describeContainer(w, c)} has no RuntimeDefault or Localhost seccomp profile (container or pod)`, path: scPath(c, 'seccompProfile', w) }),
});

const caps = (c: ContainerEntry): Rec => rec(rec(c.container.securityContext).capabilities);
const dropAll: Rule = defineRule({
  id: POD_DROP_ALL, title: 'Capabilities not dropped', severity: 'medium',
  rationale: 'Pod Security restricted requires capabilities.drop to contain ALL; the runtime default set includes NET_RAW and others an application does not need.',
  remediation: 'Set securityContext.capabilities.drop: [ALL] on the container.',
  controls: { cis1_12: cis('5.2.10'), nsa: NSA.hardening, owasp2025: 'K01' },
  cel: workloadCel('a container does not drop ALL capabilities', everyContainer("'ALL' in c.?securityContext.?capabilities.?drop.orValue([])")),
  check: perContainer(() => dropAll, (w, c) => strs(caps(c).drop).includes('ALL') ? undefined
    : { message: `${describeContainer(w, c)} does not drop ALL capabilities`, path: [...c.path, 'securityContext', 'capabilities'] }),
});

/** POD-008's remediation for the capabilities a container actually adds (NET_ADMIN's exception named only when it adds NET_ADMIN). */
function addedCapsRemediation(extra: readonly string[]): string {
  const remove = `Remove ${extra.join(', ')} from capabilities.add (Pod Security restricted allows NET_BIND_SERVICE only)`;
  const netAdmin = extra.some((x) => /^(CAP_)?NET_ADMIN$/i.test(x));
  return netAdmin ? `${remove}; only a WireGuard gateway needs NET_ADMIN: waive it there, with the reason.` : `${remove}; if the image cannot start without one, waive this finding with the reason.`;
}

const addedCaps: Rule = defineRule({
  id: POD_ADDED_CAPS, title: 'Capabilities added', severity: 'high',
  rationale: 'Pod Security restricted allows adding NET_BIND_SERVICE only; NET_ADMIN, SYS_ADMIN and friends widen the kernel attack surface.',
  remediation: 'Remove the added capabilities from capabilities.add (Pod Security restricted allows NET_BIND_SERVICE only); one a container cannot start without (NET_ADMIN on a WireGuard gateway) takes a waiver with the reason.',
  controls: { cis1_12: cis('5.2.9'), nsa: NSA.hardening, owasp2025: 'K01' },
  cel: workloadCel('a container adds capabilities other than NET_BIND_SERVICE', everyContainer("c.?securityContext.?capabilities.?add.orValue([]).all(x, x == 'NET_BIND_SERVICE')")),
  check: perContainer(() => addedCaps, (w, c) => {
    const extra = strs(caps(c).add).filter((x) => x !== 'NET_BIND_SERVICE');
    return extra.length ? { message: `${describeContainer(w, c)} adds capabilities ${extra.join(', ')}: drop them`, path: [...c.path, 'securityContext', 'capabilities', 'add'], remediation: addedCapsRemediation(extra) } : undefined;
  }),
});

const HOST_NS = ['hostNetwork', 'hostPID', 'hostIPC'] as const;
const hostNamespaces: Rule = defineRule({
  id: POD_HOST_NAMESPACES, title: 'Host namespaces shared', severity: 'critical',
  rationale: 'hostNetwork, hostPID and hostIPC share the node\'s namespaces: the pod sees host traffic and processes, and NetworkPolicy no longer applies.',
  remediation: 'Remove hostNetwork, hostPID and hostIPC from the pod spec.',
  controls: { cis1_12: cis('5.2.5'), nsa: NSA.podSecurity, owasp2025: 'K01' },
  cel: workloadCel('the pod shares a host namespace (hostNetwork, hostPID or hostIPC)', '!variables.podSpec.?hostNetwork.orValue(false) && !variables.podSpec.?hostPID.orValue(false) && !variables.podSpec.?hostIPC.orValue(false)'),
  check: perPod(() => hostNamespaces, (w) => HOST_NS.filter((f) => w.podSpec[f] === true)
    .map((f) => ({ message: `${wref(w)} sets ${f}: true: remove it`, path: [...w.podSpecPath, f] }))),
});

const hostPath: Rule = defineRule({
  id: POD_HOST_PATH, title: 'hostPath volume', severity: 'high',
  rationale: 'A hostPath volume exposes the node file system to the pod.',
  remediation: 'Use a persistentVolumeClaim, emptyDir, configMap or secret volume instead of hostPath.',
  controls: { cis1_12: cis('5.2.12'), nsa: NSA.podSecurity, owasp2025: 'K01' },
  cel: workloadCel('the pod mounts a hostPath volume', '!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))'),
  check: perPod(() => hostPath, (w) => recs(w.podSpec.volumes).flatMap((v, i) => v.hostPath !== undefined
    ? [{ message: `${wref(w)} mounts hostPath volume "${str(v.name) ?? String(i)}" (${str(rec(v.hostPath).path) ?? '?'}): use a PVC or emptyDir`, path: [...w.podSpecPath, 'volumes', i] }] : [])),
});

const hostPort: Rule = defineRule({
  id: POD_HOST_PORT, title: 'hostPort used', severity: 'medium',
  rationale: 'hostPort binds the node\'s address, bypassing Service and NetworkPolicy design.',
  remediation: 'Remove hostPort; expose the port through a Service.',
  controls: { cis1_12: cis('5.2.13'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
  cel: workloadCel('a container binds a hostPort (with hostNetwork every containerPort is one)', everyContainer('!has(c.ports) || c.ports.all(p, p.?hostPort.orValue(0) <= 0)')),
  check: perContainer(() => hostPort, (w, c) => {
    // In a Pod with hostNetwork the API server defaults hostPort to containerPort (pod templates are no longer defaulted since 1.28).
    const defaulted = w.ref.kind === 'Pod' && w.podSpec.hostNetwork === true;
    const bound = (p: unknown): number => num(rec(p).hostPort) ?? (defaulted ? num(rec(p).containerPort) ?? 0 : 0);
    const i = arr(c.container.ports).findIndex((p) => bound(p) > 0);
    const port = arr(c.container.ports)[i];
    const how = num(rec(port).hostPort) === undefined ? ' (hostNetwork: the API server makes its containerPort a host port)' : '';
    return i >= 0 ? { message: `${describeContainer(w, c)} binds hostPort ${String(bound(port))}${how}: remove it and use a Service`, path: [...c.path, 'ports', i, num(rec(port).hostPort) === undefined ? 'containerPort' : 'hostPort'] } : undefined;
  }),
});

const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const volumeTypes: Rule = defineRule({
  id: POD_VOLUME_TYPES, title: 'Volume type outside Pod Security restricted', severity: 'medium',
  rationale: 'Pod Security restricted allows only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret volumes.',
  remediation: 'Replace the volume with one of the allowed types (usually a persistentVolumeClaim).',
  controls: { cis1_12: cis('5.7.3'), nsa: NSA.podSecurity, owasp2025: 'K01' },
  check: perPod(() => volumeTypes, (w) => recs(w.podSpec.volumes).flatMap((v, i) => {
    const types = Object.keys(v).filter((k) => k !== 'name' && k !== 'hostPath' && !RESTRICTED_VOLUMES.has(k));
    return types.length ? [{ message: `${wref(w)} volume "${str(v.name) ?? String(i)}" is of type ${types.join(', ')}, not allowed by Pod Security restricted`, path: [...w.podSpecPath, 'volumes', i] }] : [];
  })),
});

const readOnlyRoot: Rule = defineRule({
  id: POD_READ_ONLY_ROOT, title: 'Writable root file system', severity: 'medium',
  rationale: 'An immutable root file system stops an attacker from writing tools or changing binaries in the container.',
  remediation: 'Set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes where the program writes.',
  controls: { cis1_12: cis('5.7.3'), nsa: NSA.immutable, owasp2025: 'K01' },
  cel: workloadCel('a container has a writable root file system', everyContainer('c.?securityContext.?readOnlyRootFilesystem.orValue(false) == true', ['initContainers', 'containers'])),
  check: perContainer(() => readOnlyRoot, (w, c) => rec(c.container.securityContext).readOnlyRootFilesystem === true ? undefined
    : { message: `${describeContainer(w, c)} has a writable root file system: set readOnlyRootFilesystem: true`, path: [...c.path, 'securityContext'] }, ['container', 'initContainer']),
});

const resources: Rule = defineRule({
  id: POD_RESOURCES, title: 'No CPU or memory limit', severity: 'low',
  rationale: 'Without limits one container can starve the node (denial of service of the registry).',
  remediation: 'Set resources.limits.memory and resources.limits.cpu (and requests).',
  controls: { cis1_12: cis('5.7.3'), nsa: NSA.resources, owasp2025: 'K01' },
  cel: workloadCel('a container has no CPU or memory limit', everyContainer("'cpu' in c.?resources.?limits.orValue({}) && 'memory' in c.?resources.?limits.orValue({})", ['initContainers', 'containers'])),
  check: perContainer(() => resources, (w, c) => {
    const limits = rec(rec(c.container.resources).limits);
    const missing = ['cpu', 'memory'].filter((k) => limits[k] === undefined);
    return missing.length ? { message: `${describeContainer(w, c)} has no ${missing.join(' or ')} limit`, path: [...c.path, 'resources'] } : undefined;
  }, ['container', 'initContainer']),
});

function imageParts(image: string): { tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const name = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  const tag = colon >= 0 ? name.slice(colon + 1) : undefined;
  return { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

const latest: Rule = defineRule({
  id: POD_IMAGE_LATEST, title: 'Image tag latest or missing', severity: 'medium',
  rationale: 'An image without a tag or tagged latest changes under the deployment: no audit can say what ran.',
  remediation: 'Use a versioned tag and pin it by digest (image: repo:1.2.3@sha256:...).',
  controls: { nsa: NSA.images, owasp2025: 'K01' },
  check: perContainer(() => latest, (w, c) => {
    const image = str(c.container.image) ?? '';
    const { tag, digest } = imageParts(image);
    return !digest && (!tag || tag === 'latest') ? { message: `${describeContainer(w, c)} uses image "${image}" without a version (latest): pin a version and digest`, path: [...c.path, 'image'] } : undefined;
  }),
});

const digest: Rule = defineRule({
  id: POD_IMAGE_DIGEST, title: 'Image not pinned by digest', severity: 'low',
  rationale: 'Tags are mutable; a digest names exactly the audited image.',
  remediation: 'Append the digest: image: repo:tag@sha256:<digest>.',
  controls: { nsa: NSA.images, owasp2025: 'K01' },
  check: perContainer(() => digest, (w, c) => {
    const image = str(c.container.image) ?? '';
    const parts = imageParts(image);
    return parts.digest || !parts.tag || parts.tag === 'latest' ? undefined
      : { message: `${describeContainer(w, c)} image "${image}" is not pinned by digest`, path: [...c.path, 'image'] };
  }),
});

function tokenMounted(w: Workload, index: ObjectIndex): boolean {
  const own = bool(w.podSpec.automountServiceAccountToken);
  if (own !== undefined) return own;
  const sa = index.get('ServiceAccount', w.namespace, w.serviceAccount);
  return bool(sa?.automountServiceAccountToken) !== false;
}

const automount: Rule = defineRule({
  id: POD_TOKEN_AUTOMOUNT, title: 'Service-account token mounted', severity: 'medium',
  rationale: 'A mounted API token lets whoever controls the container call the Kubernetes API as its service account.',
  remediation: 'Set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless it calls the API.',
  controls: { cis1_12: cis('5.1.6'), nsa: NSA.tokens, owasp2025: 'K02' },
  check: perPod(() => automount, (w, index) => tokenMounted(w, index)
    ? [{ message: `${wref(w)} mounts the token of service account "${w.serviceAccount}": set automountServiceAccountToken: false`, path: w.podSpecPath }] : []),
});

const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const sysctls: Rule = defineRule({
  id: POD_SYSCTLS, title: 'Unsafe sysctl', severity: 'high',
  rationale: 'Sysctls outside the safe set change the node kernel for every pod (e.g. net.ipv4.ip_forward).',
  remediation: 'Remove the sysctl; a forwarding gateway needs its own privileged namespace and a waiver.',
  controls: { cis1_12: cis('5.7.3'), nsa: NSA.hardening, owasp2025: 'K01' },
  cel: workloadCel('the pod sets an unsafe sysctl', `variables.podSpec.?securityContext.?sysctls.orValue([]).all(s, s.name in ${celStrings([...SAFE_SYSCTLS])})`),
  check: perPod(() => sysctls, (w) => recs(rec(w.podSpec.securityContext).sysctls).flatMap((s, i) => {
    const name = str(s.name) ?? '';
    return SAFE_SYSCTLS.has(name) ? [] : [{ message: `${wref(w)} sets unsafe sysctl ${name}`, path: [...w.podSpecPath, 'securityContext', 'sysctls', i] }];
  })),
});

function macProblem(w: Workload, c: ContainerEntry): string | undefined {
  if (str(rec(effective(w, c, 'appArmorProfile')).type) === 'Unconfined') return 'AppArmor profile Unconfined';
  const selinuxType = str(rec(effective(w, c, 'seLinuxOptions')).type);
  if (selinuxType && !['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'].includes(selinuxType)) return `SELinux type ${selinuxType}`;
  if (str(rec(c.container.securityContext).procMount) === 'Unmasked') return 'procMount Unmasked';
  if (rec(effective(w, c, 'windowsOptions')).hostProcess === true) return 'a Windows HostProcess';
  return undefined;
}

const macProfiles: Rule = defineRule({
  id: POD_MAC_PROFILES, title: 'Confinement disabled (AppArmor, SELinux, procMount)', severity: 'high',
  rationale: 'Pod Security baseline forbids AppArmor Unconfined, custom SELinux types, an unmasked /proc and Windows HostProcess.',
  remediation: 'Remove the AppArmor/SELinux/procMount override so the runtime defaults apply.',
  controls: { cis1_12: cis('5.7.3'), nsa: NSA.hardening, owasp2025: 'K01' },
  check: perContainer(() => macProfiles, (w, c) => {
    const problem = macProblem(w, c);
    return problem ? { message: `${describeContainer(w, c)} runs with ${problem}: remove the override`, path: [...c.path, 'securityContext'] } : undefined;
  }),
});

export const podRules: readonly Rule[] = [
  privileged, escalation, nonRoot, uidZero, uidProxy, seccomp, dropAll, addedCaps, hostNamespaces, hostPath, hostPort,
  volumeTypes, readOnlyRoot, resources, latest, digest, automount, sysctls, macProfiles,
];
