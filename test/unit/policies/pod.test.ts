import { describe, expect, it } from 'vitest';
import * as POD from '../../../policies/rules/pod.js';
import { runRule, summarise, type Case } from './helpers.js';

/** A Deployment that passes every POD rule; cases replace one line or block of it. */
const HARDENED = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: dev
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: {type: RuntimeDefault}
      volumes:
        - name: tmp
          emptyDir: {}
      initContainers:
        - name: init
          image: registry.example/init:1.0@sha256:0a1b
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            limits: {cpu: 100m, memory: 64Mi}
      containers:
        - name: app
          image: registry.example/app:1.0@sha256:0a1b
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            limits: {cpu: 100m, memory: 64Mi}
          ports:
            - containerPort: 8080
`;

const APP_SC = `          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          resources:
            limits: {cpu: 100m, memory: 64Mi}
          ports:`;

/** HARDENED with the app container's securityContext lines replaced by `sc` (indented 12). */
const appSc = (sc: string): string => HARDENED.replace(APP_SC, `          securityContext:\n${sc}\n          resources:\n            limits: {cpu: 100m, memory: 64Mi}\n          ports:`);
const without = (line: string): string => HARDENED.replace(`${line}\n`, '');
const withPod = (line: string): string => HARDENED.replace('      automountServiceAccountToken: false\n', `      automountServiceAccountToken: false\n${line}\n`);
const INIT = 'init container "init"';
const APP = 'Deployment dev/app container "app"';

const table: Record<string, Case[]> = {
  [POD.POD_PRIVILEGED]: [
    { name: 'passes a hardened deployment', yaml: HARDENED, expect: [] },
    { name: 'fails a privileged container', yaml: appSc('            privileged: true\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}'),
      expect: [{ severity: 'critical', message: `${APP} runs privileged: remove securityContext.privileged`, at: 'privileged: true' }] },
  ],
  [POD.POD_PRIVILEGE_ESCALATION]: [
    { name: 'passes when every container sets it false', yaml: HARDENED, expect: [] },
    { name: 'fails an init container that does not set it (the peers\' blind spot)', yaml: HARDENED.replace('            allowPrivilegeEscalation: false\n', ''),
      expect: [{ severity: 'high', message: `Deployment dev/app ${INIT} does not set allowPrivilegeEscalation: false`, at: 'securityContext:', nth: 1 }] },
    { name: 'fails an ephemeral container without it', yaml: `${HARDENED}      ephemeralContainers:\n        - name: debug\n          image: busybox:1.36@sha256:0a1b\n          securityContext:\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}\n`,
      expect: [{ severity: 'high', message: 'Deployment dev/app ephemeral container "debug" does not set allowPrivilegeEscalation: false', at: 'securityContext:', nth: 3 }] },
  ],
  [POD.POD_RUN_AS_NON_ROOT]: [
    { name: 'passes when inherited from the pod securityContext', yaml: HARDENED, expect: [] },
    { name: 'passes when only the containers set it', yaml: appSc('            runAsNonRoot: true\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}').replace('        runAsNonRoot: true\n', '').replace('          securityContext:\n            allowPrivilegeEscalation: false', '          securityContext:\n            runAsNonRoot: true\n            allowPrivilegeEscalation: false'), expect: [] },
    { name: 'fails every container when the pod does not set it', yaml: without('        runAsNonRoot: true'),
      expect: [
        { severity: 'high', message: `Deployment dev/app ${INIT} may run as root: runAsNonRoot is not true on the container or the pod`, at: '- name: init' },
        { severity: 'high', message: `${APP} may run as root: runAsNonRoot is not true on the container or the pod`, at: '- name: app' },
      ] },
    { name: 'fails a container overriding the pod with false', yaml: appSc('            runAsNonRoot: false\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}'),
      expect: [{ severity: 'high', message: `${APP} may run as root: runAsNonRoot is not true on the container or the pod`, at: 'runAsNonRoot: false' }] },
  ],
  [POD.POD_UID_ZERO]: [
    { name: 'passes a non-zero UID', yaml: HARDENED, expect: [] },
    { name: 'fails UID 0 at pod level for every container', yaml: HARDENED.replace('runAsUser: 10001', 'runAsUser: 0'),
      expect: [
        { severity: 'critical', message: `Deployment dev/app ${INIT} runs as UID 0 (root): set runAsUser to a non-zero UID`, at: 'runAsUser: 0' },
        { severity: 'critical', message: `${APP} runs as UID 0 (root): set runAsUser to a non-zero UID`, at: 'runAsUser: 0' },
      ] },
    { name: 'passes when the container overrides a pod UID 0', yaml: HARDENED.replace('runAsUser: 10001', 'runAsUser: 0').replaceAll('            allowPrivilegeEscalation: false\n', '            allowPrivilegeEscalation: false\n            runAsUser: 10001\n'), expect: [] },
  ],
  [POD.POD_UID_PROXY]: [
    { name: 'passes another UID', yaml: HARDENED, expect: [] },
    { name: 'fails an app container running as 1337', yaml: appSc('            runAsUser: 1337\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}'),
      expect: [{ severity: 'high', message: `${APP} runs as UID 1337, the Istio proxy UID, and so bypasses the sidecar: use another UID`, at: 'runAsUser: 1337' }] },
  ],
  [POD.POD_SECCOMP]: [
    { name: 'passes RuntimeDefault at pod level', yaml: HARDENED, expect: [] },
    { name: 'fails Unconfined on a container overriding the pod', yaml: appSc('            seccompProfile: {type: Unconfined}\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}'),
      expect: [{ severity: 'medium', message: `${APP} has no RuntimeDefault or Localhost seccomp profile (container or pod)`, at: 'type: Unconfined' }] },
  ],
  [POD.POD_DROP_ALL]: [
    { name: 'passes drop ALL', yaml: HARDENED, expect: [] },
    { name: 'fails a container dropping only NET_RAW', yaml: appSc('            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [NET_RAW]}'),
      expect: [{ severity: 'medium', message: `${APP} does not drop ALL capabilities`, at: 'capabilities: {drop: [NET_RAW]}' }] },
  ],
  [POD.POD_ADDED_CAPS]: [
    { name: 'passes NET_BIND_SERVICE', yaml: appSc('            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}'), expect: [] },
    { name: 'fails NET_ADMIN', yaml: appSc('            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL], add: [NET_ADMIN, NET_BIND_SERVICE]}'),
      expect: [{ severity: 'high', message: `${APP} adds capabilities NET_ADMIN: drop them`, at: 'add: [NET_ADMIN' }] },
  ],
  [POD.POD_HOST_NAMESPACES]: [
    { name: 'passes without host namespaces', yaml: HARDENED, expect: [] },
    { name: 'fails hostNetwork and hostPID', yaml: withPod('      hostNetwork: true\n      hostPID: true'),
      expect: [
        { severity: 'critical', message: 'Deployment dev/app sets hostNetwork: true: remove it', at: 'hostNetwork: true' },
        { severity: 'critical', message: 'Deployment dev/app sets hostPID: true: remove it', at: 'hostPID: true' },
      ] },
  ],
  [POD.POD_HOST_PATH]: [
    { name: 'passes emptyDir', yaml: HARDENED, expect: [] },
    { name: 'fails hostPath', yaml: HARDENED.replace('          emptyDir: {}', '          hostPath: {path: /var/run}'),
      expect: [{ severity: 'high', message: 'Deployment dev/app mounts hostPath volume "tmp" (/var/run): use a PVC or emptyDir', at: '- name: tmp' }] },
  ],
  [POD.POD_HOST_PORT]: [
    { name: 'passes a container port', yaml: HARDENED, expect: [] },
    { name: 'fails hostPort', yaml: HARDENED.replace('            - containerPort: 8080', '            - containerPort: 8080\n              hostPort: 80'),
      expect: [{ severity: 'medium', message: `${APP} binds hostPort 80: remove it and use a Service`, at: 'hostPort: 80' }] },
  ],
  [POD.POD_VOLUME_TYPES]: [
    { name: 'passes emptyDir', yaml: HARDENED, expect: [] },
    { name: 'fails an nfs volume', yaml: HARDENED.replace('          emptyDir: {}', '          nfs: {server: nfs.example, path: /x}'),
      expect: [{ severity: 'medium', message: 'Deployment dev/app volume "tmp" is of type nfs, not allowed by Pod Security restricted', at: '- name: tmp' }] },
  ],
  [POD.POD_READ_ONLY_ROOT]: [
    { name: 'passes read-only root', yaml: HARDENED, expect: [] },
    { name: 'fails a writable root', yaml: appSc('            allowPrivilegeEscalation: false\n            capabilities: {drop: [ALL]}'),
      expect: [{ severity: 'medium', message: `${APP} has a writable root file system: set readOnlyRootFilesystem: true`, at: 'securityContext:', nth: 2 }] },
  ],
  [POD.POD_RESOURCES]: [
    { name: 'passes limits', yaml: HARDENED, expect: [] },
    { name: 'fails a missing memory limit', yaml: HARDENED.replace('            limits: {cpu: 100m, memory: 64Mi}\n          ports:', '            limits: {cpu: 100m}\n          ports:'),
      expect: [{ severity: 'low', message: `${APP} has no memory limit`, at: 'resources:', nth: 1 }] },
  ],
  [POD.POD_IMAGE_LATEST]: [
    { name: 'passes a tag and digest', yaml: HARDENED, expect: [] },
    { name: 'fails an untagged image', yaml: HARDENED.replace('registry.example/app:1.0@sha256:0a1b', 'registry.example:5000/app'),
      expect: [{ severity: 'medium', message: `${APP} uses image "registry.example:5000/app" without a version (latest): pin a version and digest`, at: 'registry.example:5000/app' }] },
    { name: 'fails :latest', yaml: HARDENED.replace('registry.example/app:1.0@sha256:0a1b', 'app:latest'),
      expect: [{ severity: 'medium', message: `${APP} uses image "app:latest" without a version (latest): pin a version and digest`, at: 'app:latest' }] },
  ],
  [POD.POD_IMAGE_DIGEST]: [
    { name: 'passes a digest', yaml: HARDENED, expect: [] },
    { name: 'fails a tag without digest', yaml: HARDENED.replace('registry.example/app:1.0@sha256:0a1b', 'registry.example/app:1.0'),
      expect: [{ severity: 'low', message: `${APP} image "registry.example/app:1.0" is not pinned by digest`, at: 'registry.example/app:1.0' }] },
  ],
  [POD.POD_TOKEN_AUTOMOUNT]: [
    { name: 'passes automount false on the pod', yaml: HARDENED, expect: [] },
    { name: 'passes automount false on the ServiceAccount', yaml: `${without('      automountServiceAccountToken: false').replace('    spec:\n      securityContext', '    spec:\n      serviceAccountName: app\n      securityContext')}---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: app, namespace: dev}\nautomountServiceAccountToken: false\n`, expect: [] },
    { name: 'fails the default', yaml: without('      automountServiceAccountToken: false'),
      expect: [{ severity: 'medium', message: 'Deployment dev/app mounts the token of service account "default": set automountServiceAccountToken: false', at: '    spec:' }] },
  ],
  [POD.POD_SYSCTLS]: [
    { name: 'passes a safe sysctl', yaml: HARDENED.replace('        seccompProfile: {type: RuntimeDefault}', '        seccompProfile: {type: RuntimeDefault}\n        sysctls: [{name: net.ipv4.ip_local_port_range, value: "1024 65535"}]'), expect: [] },
    { name: 'fails ip_forward', yaml: HARDENED.replace('        seccompProfile: {type: RuntimeDefault}', '        seccompProfile: {type: RuntimeDefault}\n        sysctls:\n          - {name: net.ipv4.ip_forward, value: "1"}'),
      expect: [{ severity: 'high', message: 'Deployment dev/app sets unsafe sysctl net.ipv4.ip_forward', at: 'net.ipv4.ip_forward' }] },
  ],
  [POD.POD_MAC_PROFILES]: [
    { name: 'passes runtime defaults', yaml: HARDENED, expect: [] },
    { name: 'fails AppArmor Unconfined inherited from the pod', yaml: HARDENED.replace('        seccompProfile: {type: RuntimeDefault}', '        seccompProfile: {type: RuntimeDefault}\n        appArmorProfile: {type: Unconfined}'),
      expect: [
        { severity: 'high', message: `Deployment dev/app ${INIT} runs with AppArmor profile Unconfined: remove the override`, at: 'securityContext:', nth: 1 },
        { severity: 'high', message: `${APP} runs with AppArmor profile Unconfined: remove the override`, at: 'securityContext:', nth: 2 },
      ] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases)('$name', (c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

describe('WARD-POD-008 remediation names what the container adds', () => {
  const caps = (add: string): string => appSc(`            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL], add: [${add}]}`);
  it.each([
    { name: 'file-ownership capabilities (OpenG2P Odoo) are to be removed, with no word of NET_ADMIN', add: 'CHOWN, FOWNER, SYS_CHROOT, SETGID, SETUID, DAC_OVERRIDE',
      remediation: 'Remove CHOWN, FOWNER, SYS_CHROOT, SETGID, SETUID, DAC_OVERRIDE from capabilities.add (Pod Security restricted allows NET_BIND_SERVICE only); if the image cannot start without one, waive this finding with the reason.' },
    { name: 'NET_ADMIN is to be removed, and kept only on a WireGuard gateway under a waiver', add: 'NET_ADMIN, NET_BIND_SERVICE',
      remediation: 'Remove NET_ADMIN from capabilities.add (Pod Security restricted allows NET_BIND_SERVICE only); only a WireGuard gateway needs NET_ADMIN: waive it there, with the reason.' },
  ])('$name', ({ add, remediation }) => {
    expect(runRule(POD.POD_ADDED_CAPS, caps(add)).map((f) => f.remediation)).toEqual([remediation]);
  });
});
