import { describe, expect, it } from 'vitest';
import { ObjectIndex } from '../../../policies/index/object-index.js';
import { parseText } from '../../../policies/load/parse.js';
import { effectiveMtls, sidecarInjected } from '../../../policies/mesh/mtls.js';
import * as MTLS from '../../../policies/rules/mtls.js';
import { summarise, type Case } from './helpers.js';

const NS = (labels = 'istio-injection: enabled'): string => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n  labels: {${labels}}\n---\n`;
const DEPLOY = (labels = 'app: db', annotations = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: dev}
spec:
  template:
    metadata:
      labels: {${labels}}${annotations ? `\n      annotations: {${annotations}}` : ''}
    spec:
      containers:
        - name: db
          image: postgres:16
          ports: [{containerPort: 5432}, {containerPort: 9187}]
`;
const pa = (name: string, ns: string, spec: string, ts = '2026-01-01T00:00:00Z'): string =>
  `---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: ${name}, namespace: ${ns}, creationTimestamp: "${ts}"}\nspec:\n${spec}\n`;
const dr = (tls: string): string => `---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: db, namespace: dev}\nspec:\n  host: db.dev.svc.cluster.local\n  trafficPolicy:\n    tls: ${tls}\n`;

const table: Record<string, Case[]> = {
  [MTLS.MTLS_NOT_STRICT]: [
    { name: 'passes a namespace-wide STRICT policy', yaml: NS() + DEPLOY() + pa('default', 'dev', '  mtls: {mode: STRICT}'), expect: [] },
    { name: 'passes a mesh-wide STRICT policy with a namespace UNSET (inherits)', yaml: NS() + DEPLOY() + pa('default', 'istio-system', '  mtls: {mode: STRICT}') + pa('default', 'dev', '  mtls: {mode: UNSET}'), expect: [] },
    { name: 'fails the PERMISSIVE default', yaml: NS() + DEPLOY(),
      expect: [{ severity: 'high', message: 'Deployment dev/db accepts non-mTLS traffic (5432 PERMISSIVE, 9187 PERMISSIVE); no PeerAuthentication applies, so Istio\'s default PERMISSIVE holds', at: '  template:' }] },
    { name: 'fails one port opened by portLevelMtls, raised for personal data', yaml: NS() + DEPLOY('app: db, ward.g2p.dev/personal-data: "true"') + pa('default', 'dev', '  mtls: {mode: STRICT}') + pa('db', 'dev', '  selector: {matchLabels: {app: db}}\n  portLevelMtls:\n    9187: {mode: PERMISSIVE}'),
      expect: [{ severity: 'critical', message: 'Deployment dev/db accepts non-mTLS traffic (9187 PERMISSIVE); decided by PeerAuthentication dev/db (portLevelMtls); it holds personal data', at: '  template:' }] },
    { name: 'passes a workload outside the mesh without personal data (NET rules cover it)', yaml: NS('istio-injection: disabled') + DEPLOY(), expect: [] },
  ],
  [MTLS.MTLS_DR_DISABLE]: [
    { name: 'passes ISTIO_MUTUAL', yaml: dr('{mode: ISTIO_MUTUAL}'), expect: [] },
    { name: 'fails DISABLE', yaml: dr('{mode: DISABLE}'),
      expect: [{ severity: 'high', message: 'DestinationRule dev/db (host db.dev.svc.cluster.local) sets tls.mode: DISABLE in trafficPolicy', at: 'tls: {mode: DISABLE}' }] },
  ],
  [MTLS.MTLS_DR_NO_CA]: [
    { name: 'passes SIMPLE with caCertificates', yaml: dr('{mode: SIMPLE, caCertificates: /etc/ca.pem}'), expect: [] },
    { name: 'fails SIMPLE without a CA', yaml: dr('{mode: SIMPLE}'),
      expect: [{ severity: 'medium', message: 'DestinationRule dev/db (host db.dev.svc.cluster.local) uses tls.mode SIMPLE in trafficPolicy without caCertificates: the server is not verified', at: 'tls: {mode: SIMPLE}' }] },
  ],
  [MTLS.MTLS_NOT_INJECTED]: [
    { name: 'passes personal data in an injected namespace', yaml: NS() + DEPLOY('app: db, ward.g2p.dev/personal-data: "true"'), expect: [] },
    { name: 'passes a non-personal workload opting out', yaml: NS() + DEPLOY('app: db', 'sidecar.istio.io/inject: "false"'), expect: [] },
    { name: 'fails personal data opting out of injection', yaml: NS() + DEPLOY('app: db, ward.g2p.dev/personal-data: "true"', 'sidecar.istio.io/inject: "false"'),
      expect: [{ severity: 'critical', message: 'Deployment dev/db holds personal data but opts out of sidecar injection (sidecar.istio.io/inject: "false")', at: '  template:' }] },
    { name: 'fails personal data in a namespace not labelled for injection', yaml: NS('team: a') + DEPLOY('app: db, ward.g2p.dev/personal-data: "true"'),
      expect: [{ severity: 'critical', message: 'Deployment dev/db holds personal data but runs in namespace dev, which is not labelled for sidecar injection', at: '  template:' }] },
  ],
  [MTLS.MTLS_IGNORED_POLICY]: [
    { name: 'passes portLevelMtls with a selector', yaml: pa('db', 'dev', '  selector: {matchLabels: {app: db}}\n  portLevelMtls:\n    9187: {mode: PERMISSIVE}'), expect: [] },
    { name: 'fails portLevelMtls without a selector', yaml: pa('db', 'dev', '  portLevelMtls:\n    9187: {mode: PERMISSIVE}'),
      expect: [{ severity: 'medium', message: 'PeerAuthentication dev/db sets portLevelMtls without a selector; Istio ignores it', at: 'portLevelMtls:' }] },
    { name: 'fails the younger of two namespace-wide policies', yaml: pa('a', 'dev', '  mtls: {mode: STRICT}') + pa('b', 'dev', '  mtls: {mode: PERMISSIVE}', '2026-02-01T00:00:00Z'),
      expect: [{ severity: 'medium', message: 'PeerAuthentication dev/b is one of 2 namespace-wide PeerAuthentications in dev; only the oldest is honoured', at: 'apiVersion: security.istio.io/v1', nth: 1 }] },
  ],
  [MTLS.MTLS_WEAK_POLICY]: [
    { name: 'passes a namespace-wide STRICT policy and an UNSET one that inherits', yaml: pa('default', 'dev', '  mtls: {mode: STRICT}') + pa('w', 'dev', '  selector: {matchLabels: {app: db}}\n  mtls: {mode: UNSET}'), expect: [] },
    { name: 'fails a namespace-wide PERMISSIVE policy without any workload in the input', yaml: pa('default', 'dev', '  mtls: {mode: PERMISSIVE}'),
      expect: [{ severity: 'high', message: 'PeerAuthentication dev/default sets mtls.mode PERMISSIVE namespace-wide: plaintext is accepted next to mTLS', at: 'mtls: {mode: PERMISSIVE}' }] },
    { name: 'fails a mesh-wide DISABLE policy, raised when an inheriting namespace holds personal data', yaml: NS() + DEPLOY('app: db, ward.g2p.dev/personal-data: "true"') + pa('default', 'istio-system', '  mtls: {mode: DISABLE}'),
      expect: [{ severity: 'critical', message: 'PeerAuthentication istio-system/default sets mtls.mode DISABLE mesh-wide: mTLS is refused, traffic is plaintext; namespace dev holds personal data', at: 'mtls: {mode: DISABLE}' }] },
    { name: 'passes a mesh-wide STRICT policy overridden by nothing weaker', yaml: pa('default', 'istio-system', '  mtls: {mode: STRICT}'), expect: [] },
    { name: 'fails a port opened by portLevelMtls, raised when the namespace holds personal data', yaml: NS() + DEPLOY('app: db, ward.g2p.dev/personal-data: "true"') + pa('db', 'dev', '  selector: {matchLabels: {app: db}}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    9187: {mode: PERMISSIVE}'),
      expect: [{ severity: 'critical', message: 'PeerAuthentication dev/db sets portLevelMtls 9187 mode PERMISSIVE: plaintext is accepted next to mTLS; namespace dev holds personal data', at: '9187: {mode: PERMISSIVE}' }] },
    { name: 'fails a selector policy weaker than STRICT', yaml: pa('db', 'dev', '  selector: {matchLabels: {app: db}}\n  mtls: {mode: PERMISSIVE}'),
      expect: [{ severity: 'high', message: 'PeerAuthentication dev/db sets mtls.mode PERMISSIVE for the workloads it selects: plaintext is accepted next to mTLS', at: 'mtls: {mode: PERMISSIVE}' }] },
    { name: 'passes what Istio ignores (WARD-MTLS-005 reports it): portLevelMtls without a selector, the younger namespace-wide policy, a selector policy in the root namespace',
      yaml: pa('a', 'dev', '  mtls: {mode: STRICT}') + pa('b', 'dev', '  mtls: {mode: PERMISSIVE}', '2026-02-01T00:00:00Z') + pa('p', 'other', '  portLevelMtls:\n    9187: {mode: DISABLE}') + pa('r', 'istio-system', '  selector: {matchLabels: {app: db}}\n  mtls: {mode: DISABLE}'),
      expect: [] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases)('$name', (c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

describe('effectiveMtls: PeerAuthentication precedence', () => {
  const mode = (yaml: string, port?: number) => {
    const index = ObjectIndex.fromDocuments(parseText(yaml, 'x.yaml').documents);
    const w = index.workloads[0]!;
    const m = effectiveMtls(index, w, port);
    return `${m.mode}/${m.scope}`;
  };
  it.each([
    ['nothing set: PERMISSIVE default', DEPLOY(), undefined, 'PERMISSIVE/default'],
    ['mesh root STRICT', DEPLOY() + pa('default', 'istio-system', '  mtls: {mode: STRICT}'), undefined, 'STRICT/mesh'],
    ['namespace beats mesh', DEPLOY() + pa('default', 'istio-system', '  mtls: {mode: STRICT}') + pa('ns', 'dev', '  mtls: {mode: PERMISSIVE}'), undefined, 'PERMISSIVE/namespace'],
    ['workload beats namespace', DEPLOY() + pa('ns', 'dev', '  mtls: {mode: PERMISSIVE}') + pa('w', 'dev', '  selector: {matchLabels: {app: db}}\n  mtls: {mode: STRICT}'), undefined, 'STRICT/workload'],
    ['workload UNSET inherits the namespace', DEPLOY() + pa('ns', 'dev', '  mtls: {mode: STRICT}') + pa('w', 'dev', '  selector: {matchLabels: {app: db}}\n  mtls: {mode: UNSET}'), undefined, 'STRICT/namespace'],
    ['port level beats workload', DEPLOY() + pa('w', 'dev', '  selector: {matchLabels: {app: db}}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    5432: {mode: DISABLE}'), 5432, 'DISABLE/port'],
    ['port level for another port leaves the workload mode', DEPLOY() + pa('w', 'dev', '  selector: {matchLabels: {app: db}}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    5432: {mode: DISABLE}'), 9187, 'STRICT/workload'],
    ['selector policies in the root namespace are ignored', DEPLOY() + pa('w', 'istio-system', '  selector: {matchLabels: {app: db}}\n  mtls: {mode: STRICT}'), undefined, 'PERMISSIVE/default'],
    ['the oldest namespace-wide policy wins', DEPLOY() + pa('b', 'dev', '  mtls: {mode: PERMISSIVE}', '2026-03-01T00:00:00Z') + pa('a', 'dev', '  mtls: {mode: STRICT}', '2026-01-01T00:00:00Z'), undefined, 'STRICT/namespace'],
  ])('%s', (_name, yaml, port, want) => expect(mode(yaml, port)).toBe(want));
});

describe('sidecarInjected', () => {
  const injected = (yaml: string): boolean | undefined => {
    const index = ObjectIndex.fromDocuments(parseText(yaml, 'x.yaml').documents);
    return sidecarInjected(index, index.workloads[0]!);
  };
  const gateway = `apiVersion: apps/v1
kind: Deployment
metadata: {name: gw, namespace: dev}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec:
      containers:
        - {name: istio-proxy, image: proxyv2}
`;
  it.each([
    ['a pod that already carries the istio-proxy container is in the mesh, whatever its namespace says', NS('istio-injection: disabled') + gateway, true],
    ['a namespace labelled for injection puts its workloads in the mesh', NS() + DEPLOY(), true],
    ['a namespace not labelled keeps them out', NS('team: x') + DEPLOY(), false],
    ['without the Namespace object the answer is unknown', DEPLOY(), undefined],
  ])('%s', (_name, yaml, want) => expect(injected(yaml)).toBe(want));
});
