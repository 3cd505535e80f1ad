/**
 * `ward policy-check` throughput on a generated corpus of 10,000 mixed objects (workloads, Services,
 * ConfigMaps, Secrets, NetworkPolicies, Istio policies, RBAC) in 20 namespaces. Prints objects per
 * second, peak memory, and the ratio of the whole check (load with positions + index + every rule +
 * waivers) to only parsing the same YAML with the `yaml` package (the floor). When kube-score is on
 * PATH, also ward's time as a ratio of kube-score's on the same corpus.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCheck } from '../policies/engine.js';
import { parseText } from '../policies/load/parse.js';
import { fmtMs, median } from './measure.js';

const NAMESPACES = 20;
const GROUPS_PER_NAMESPACE = 50; // 10 objects per group → 10,000 objects

function group(ns: string, i: number): string {
  const app = `app-${String(i)}`;
  const personal = i % 3 === 0 ? ', ward.g2p.dev/personal-data: "true"' : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${app}, namespace: ${ns}, annotations: {ward.g2p.dev/waive: "WARD-POD-016: bench; expires=2099-01-01; owner=bench"}}
spec:
  selector: {matchLabels: {app: ${app}}}
  template:
    metadata:
      labels: {app: ${app}${personal}}
    spec:
      serviceAccountName: ${app}
      securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
      initContainers:
        - {name: init, image: "busybox:1.36", securityContext: {allowPrivilegeEscalation: false}}
      containers:
        - name: main
          image: registry.example/${app}:1.${String(i)}
          env:
            - {name: DB_HOST, value: db}
            - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: ${app}, key: password}}}
            - {name: API_TOKEN, value: "${i % 5 === 0 ? 'Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6' : ''}"}
          ports: [{containerPort: 8080}, {containerPort: 9090}]
          resources: {limits: {cpu: 500m, memory: 256Mi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ${app}-db, namespace: ${ns}}
spec:
  template:
    metadata: {labels: {app: ${app}-db}}
    spec:
      containers: [{name: db, image: "postgres:16", ports: [{containerPort: 5432}]}]
---
apiVersion: v1
kind: Service
metadata: {name: ${app}, namespace: ${ns}}
spec: {type: ${i % 25 === 0 ? 'NodePort' : 'ClusterIP'}, selector: {app: ${app}}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: ${app}, namespace: ${ns}}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ConfigMap
metadata: {name: ${app}, namespace: ${ns}}
data: {LOG_LEVEL: info, FEATURE_FLAGS: "a,b,c"${i % 7 === 0 ? ', ADMIN_PASSWORD: changeme' : ''}}
---
apiVersion: v1
kind: Secret
metadata: {name: ${app}, namespace: ${ns}}
data: {password: ${Buffer.from(i % 4 === 0 ? 'admin' : `pw-${app}-Zt4Wq9Lm2Vx8`).toString('base64')}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ${app}, namespace: ${ns}}
spec:
  podSelector: {matchLabels: {app: ${app}}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{podSelector: {matchLabels: {app: app-${String(i + 1)}}}}], ports: [{port: 8080}]}]
  egress: [{to: [{podSelector: {matchLabels: {app: ${app}-db}}}], ports: [{port: 5432}]}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${app}, namespace: ${ns}}
spec: {selector: {matchLabels: {app: ${app}}}, mtls: {mode: STRICT}, portLevelMtls: {9090: {mode: ${i % 10 === 0 ? 'PERMISSIVE' : 'STRICT'}}}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${app}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${app}}}
  rules: [{from: [{source: {principals: [cluster.local/ns/${ns}/sa/app-${String(i + 1)}]}}], to: [{operation: {ports: ["8080"]}}]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: ${app}, namespace: ${ns}}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get${i % 20 === 0 ? ', "*"' : ''}]}]
`;
}

/** The corpus as one multi-document YAML stream. */
export function corpus(): { text: string; objects: number } {
  const docs: string[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns-${String(n)}`;
    for (let i = 0; i < GROUPS_PER_NAMESPACE; i++) docs.push(group(ns, i));
  }
  const text = docs.join('---\n');
  return { text, objects: (text.match(/^kind: /gm) ?? []).length };
}

function kubeScoreMs(text: string): number | undefined {
  const found = spawnSync('kube-score', ['version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'ward-bench-'));
  const file = join(dir, 'corpus.yaml');
  writeFileSync(file, text);
  try {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      try {
        execFileSync('kube-score', ['score', '--output-format', 'ci', file], { stdio: 'ignore', maxBuffer: 1 << 30 });
      } catch {
        // kube-score exits non-zero when it finds problems; the timing is what matters here.
      }
      samples.push(performance.now() - t0);
    }
    return median(samples);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default function bench(): void {
  const { text, objects } = corpus();
  const now = new Date('2026-06-01T00:00:00Z');
  const runs = 7;
  // Interleaved so both medians see the same machine load (the CI machine is shared).
  const parseSamples: number[] = [];
  const checkSamples: number[] = [];
  let findings = 0;
  const parseOnly = (): number => parseAllDocuments(text).map((d) => d.toJS() as unknown).length;
  const check = (): void => {
    const loaded = parseText(text, 'corpus.yaml');
    findings = runCheck({ documents: loaded.documents, inputErrors: loaded.errors, now }).findings.length;
  };
  parseOnly();
  check();
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    parseOnly();
    parseSamples.push(performance.now() - t0);
    t0 = performance.now();
    check();
    checkSamples.push(performance.now() - t0);
  }
  const parseMs = median(parseSamples);
  const checkMs = median(checkSamples);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out(`corpus: ${String(objects)} objects, ${(text.length / 1024 / 1024).toFixed(1)} MiB YAML, ${String(findings)} findings`);
  out(`parse only (yaml.parseAllDocuments + toJS), median of ${String(runs)}: ${fmtMs(parseMs)}`);
  out(`ward check (load with positions + index + all rules + waivers), median of ${String(runs)}: ${fmtMs(checkMs)}`);
  out(`objects/s: ${Math.round(objects / (checkMs / 1000)).toLocaleString('en')}`);
  out(`peak memory (max RSS of the process): ${peakMb.toFixed(0)} MiB`);
  out(`ratio check / parse-only: ${(checkMs / parseMs).toFixed(2)}`);
  const ks = kubeScoreMs(text);
  out(ks === undefined ? 'kube-score: not on PATH (no comparison)' : `kube-score score (median of 3): ${fmtMs(ks)}; ratio ward / kube-score: ${(checkMs / ks).toFixed(2)}`);
}
