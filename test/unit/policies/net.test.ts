import { describe, expect, it } from 'vitest';
import * as NET from '../../../policies/rules/net.js';
import { exceptProblem, policyTypes } from '../../../policies/rules/net.js';
import { parseText } from '../../../policies/load/parse.js';
import { summarise, type Case } from './helpers.js';

const DEPLOY = (labels = 'app: db', extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: dev${extra}}
spec:
  template:
    metadata:
      labels: {${labels}}
    spec:
      containers: [{name: db, image: "postgres:16"}]
`;
const PERSONAL = DEPLOY('app: db, ward.g2p.dev/personal-data: "true"');
const DENY_ALL = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: dev}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;
const np = (name: string, spec: string): string => `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: dev}\nspec:\n${spec}\n`;

const table: Record<string, Case[]> = {
  [NET.NET_NO_DEFAULT_DENY_INGRESS]: [
    { name: 'passes with a default-deny for both directions', yaml: DEPLOY() + DENY_ALL, expect: [] },
    { name: 'fails a namespace whose only policy allows something', yaml: `apiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n---\n${DEPLOY()}${np('allow', '  podSelector: {}\n  ingress: [{from: [{podSelector: {}}]}]')}`,
      expect: [{ severity: 'high', message: 'Namespace dev has no default-deny ingress NetworkPolicy', at: 'apiVersion: v1' }] },
    { name: 'raises the severity where personal data is held', yaml: `apiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n---\n${PERSONAL}`,
      expect: [{ severity: 'critical', message: 'Namespace dev has no default-deny ingress NetworkPolicy and holds personal data', at: 'apiVersion: v1' }] },
  ],
  [NET.NET_NO_DEFAULT_DENY_EGRESS]: [
    { name: 'passes with Egress listed explicitly', yaml: DEPLOY() + DENY_ALL, expect: [] },
    { name: 'fails a default-deny that omits policyTypes (Ingress only)', yaml: `apiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n---\n${DEPLOY()}${np('deny', '  podSelector: {}')}`,
      expect: [{ severity: 'medium', message: 'Namespace dev has no default-deny egress NetworkPolicy', at: 'apiVersion: v1' }] },
  ],
  [NET.NET_WORKLOAD_INGRESS_OPEN]: [
    { name: 'passes a workload under the namespace default-deny', yaml: DEPLOY() + DENY_ALL, expect: [] },
    { name: 'fails a workload no policy selects', yaml: DEPLOY() + np('other', '  podSelector: {matchLabels: {app: web}}'),
      expect: [{ severity: 'medium', message: 'Deployment dev/db is selected by no NetworkPolicy for ingress: any source can connect to it', at: '  template:' }] },
  ],
  [NET.NET_WORKLOAD_EGRESS_OPEN]: [
    { name: 'passes a workload with Egress isolation', yaml: DEPLOY() + DENY_ALL, expect: [] },
    { name: 'fails a personal-data workload isolated only for ingress, raised', yaml: PERSONAL + np('db', '  podSelector: {matchLabels: {app: db}}'),
      expect: [{ severity: 'high', message: 'Deployment dev/db is selected by no NetworkPolicy for egress: it can connect anywhere (holds personal data)', at: '  template:' }] },
  ],
  [NET.NET_SELECTS_NOTHING]: [
    { name: 'passes a policy selecting the workload', yaml: DEPLOY() + np('db', '  podSelector: {matchLabels: {app: db}}'), expect: [] },
    { name: 'passes when the namespace has no workloads in the input (ward\'s own output)', yaml: np('db', '  podSelector: {matchLabels: {app: typo}}'), expect: [] },
    { name: 'fails a label typo', yaml: DEPLOY() + np('db', '  podSelector: {matchLabels: {app: dbb}}'),
      expect: [{ severity: 'low', message: 'NetworkPolicy dev/db selects no workload in namespace dev', at: 'podSelector: {matchLabels: {app: dbb}}' }] },
  ],
  [NET.NET_ALLOW_ALL]: [
    { name: 'passes a rule naming its peers', yaml: DEPLOY() + np('db', '  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: web}}}]\n      ports: [{port: 5432}]'), expect: [] },
    { name: 'fails a Bitnami allowExternal rule without from', yaml: DEPLOY() + np('db', '  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - ports: [{port: 5432}]'),
      expect: [{ severity: 'high', message: 'NetworkPolicy dev/db ingress rule 0 (ports 5432) has no "from", so it allows every source', at: '- ports: [{port: 5432}]' }] },
    { name: 'fails namespaceSelector {} alone, raised for personal data', yaml: PERSONAL + np('db', '  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - from: [{namespaceSelector: {}}]'),
      expect: [{ severity: 'critical', message: 'NetworkPolicy dev/db ingress rule 0 has a peer "namespaceSelector: {}" without podSelector: every pod in every namespace; it selects workloads holding personal data', at: '- from: [{namespaceSelector: {}}]' }] },
    { name: 'fails egress to 0.0.0.0/0', yaml: DEPLOY() + np('db', '  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]'),
      expect: [{ severity: 'high', message: 'NetworkPolicy dev/db egress rule 0 allows ipBlock 0.0.0.0/0: every address', at: '- to: [{ipBlock' }] },
    { name: 'passes ingress: [] (allows nothing)', yaml: DEPLOY() + np('db', '  podSelector: {matchLabels: {app: db}}\n  ingress: []'), expect: [] },
  ],
  [NET.NET_EXCEPT_OUTSIDE]: [
    { name: 'passes an except inside the cidr', yaml: np('ext', '  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}'), expect: [] },
    { name: 'fails an except outside the cidr', yaml: np('ext', '  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}'),
      expect: [{ severity: 'medium', message: 'NetworkPolicy dev/ext egress rule 0: except 192.168.0.0/16 is not inside cidr 10.0.0.0/8', at: 'ipBlock:' }] },
  ],
  [NET.NET_EXPOSED_SERVICE]: [
    { name: 'passes the Istio ingress gateway Service', yaml: 'apiVersion: v1\nkind: Service\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec:\n  type: LoadBalancer\n  selector: {istio: ingressgateway}\n', expect: [] },
    { name: 'fails a NodePort to a personal-data workload, raised', yaml: `${PERSONAL}---\napiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: dev}\nspec:\n  type: NodePort\n  selector: {app: db}\n`,
      expect: [{ severity: 'high', message: 'Service dev/db is of type NodePort and is not a declared gateway; it routes to workloads holding personal data: use ClusterIP behind the ingress gateway', at: 'type: NodePort' }] },
  ],
  [NET.NET_SIDECAR_ANY_HOST]: [
    { name: 'passes listed hosts with REGISTRY_ONLY', yaml: 'apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: dev}\nspec:\n  egress:\n    - hosts: ["./*", "istio-system/*"]\n  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n', expect: [] },
    { name: 'fails "*/*" and ALLOW_ANY', yaml: 'apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: dev}\nspec:\n  egress:\n    - hosts: ["*/*"]\n  outboundTrafficPolicy: {mode: ALLOW_ANY}\n',
      expect: [
        { severity: 'low', message: 'Sidecar dev/default egress 0 allows any host ("*/*")', at: 'hosts: ["*/*"]' },
        { severity: 'low', message: 'Sidecar dev/default sets outboundTrafficPolicy ALLOW_ANY: any external host is reachable', at: 'outboundTrafficPolicy' },
      ] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases)('$name', (c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

describe('NetworkPolicy semantics', () => {
  const obj = (spec: string) => parseText(np('x', spec), 'x.yaml').documents[0]!.object;
  it('defaults policyTypes to Ingress, plus Egress when egress rules exist', () => {
    expect(policyTypes(obj('  podSelector: {}'))).toEqual(['Ingress']);
    expect(policyTypes(obj('  podSelector: {}\n  egress: []'))).toEqual(['Ingress']);
    expect(policyTypes(obj('  podSelector: {}\n  egress: [{}]'))).toEqual(['Ingress', 'Egress']);
    expect(policyTypes(obj('  podSelector: {}\n  policyTypes: []\n  egress: [{}]'))).toEqual(['Ingress', 'Egress']);
    expect(policyTypes(obj('  podSelector: {}\n  policyTypes: [Egress]'))).toEqual(['Egress']);
  });
  it.each([
    ['10.0.0.0/8', '10.2.0.0/16', undefined],
    ['10.0.0.0/8', '10.0.0.0/4', 'except 10.0.0.0/4 is not inside cidr 10.0.0.0/8'],
    ['10.0.0.0/8', '2001:db8::/32', 'except 2001:db8::/32 is not inside cidr 10.0.0.0/8'],
    ['10.0.0.0/8', 'nonsense', 'except "nonsense" is not a CIDR'],
  ])('except %s / %s', (cidr, ex, want) => expect(exceptProblem(cidr, ex)).toBe(want));
});
