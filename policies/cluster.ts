/**
 * Reads the kinds the rules understand from a live cluster with a read-only identity (the
 * `ward-auditor` ClusterRole). Secrets are listed as metadata only (PartialObjectMetadataList):
 * their values are never requested. Kinds whose CRD is not installed are skipped. Pods, ReplicaSets
 * and Jobs created by a controller are left out: their controller's template is checked instead.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { KubeObject } from '../charts-src/kube.js';
import { AUDITED_RESOURCES, type AuditedResource } from './cluster-kinds.js';
import { arr, rec, recs, str } from './index/access.js';
import { decodeText, DEFAULT_LIMITS, readInputFile, yamlErrorMessage } from './load/index.js';
import { documentValue } from './load/to-value.js';

export interface ClusterOptions {
  readonly context?: string;
  /** @default KUBECONFIG or ~/.kube/config (client-node's default loading) */
  readonly kubeconfig?: string;
  /** A ready KubeConfig (tests); wins over context/kubeconfig. */
  readonly kubeConfig?: KubeConfig;
  /** Page size of list requests. @default 500 */
  readonly pageSize?: number;
}

const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

interface Page { readonly status: number; readonly body: string }

async function get(kc: KubeConfig, agent: Agent, path: string, accept: string): Promise<Page> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, server);
  const opts: RequestOptions = { method: 'GET', headers: { Accept: accept } };
  await kc.applyToHTTPSOptions(opts);
  const send = url.protocol === 'http:' ? httpRequest : request;
  return new Promise<Page>((resolve, reject) => {
    const req = send(url, { ...opts, ...(url.protocol === 'https:' ? { agent } : {}), timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout reading ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

function listPath(r: AuditedResource): string {
  return r.group ? `/apis/${r.group}/${r.version}/${r.resource}` : `/api/${r.version}/${r.resource}`;
}

function controlled(obj: KubeObject): boolean {
  return recs(obj.metadata.ownerReferences).some((o) => o.controller === true && ['ReplicaSet', 'Job', 'Deployment', 'CronJob', 'StatefulSet', 'DaemonSet'].includes(str(o.kind) ?? ''));
}

async function listResource(kc: KubeConfig, agent: Agent, r: AuditedResource, pageSize: number): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  let cont: string | undefined;
  do {
    const q = new URLSearchParams({ limit: String(pageSize), ...(cont ? { continue: cont } : {}) });
    const page = await get(kc, agent, `${listPath(r)}?${q.toString()}`, r.metadataOnly ? METADATA_ACCEPT : 'application/json');
    if (page.status === 404) return [];
    if (page.status === 403) throw new Error(`forbidden to list ${r.resource}${r.group ? `.${r.group}` : ''}: run as an identity bound to the ward-auditor ClusterRole (policies/auditor-rbac.ts)`);
    if (page.status !== 200) throw new Error(`listing ${r.resource}${r.group ? `.${r.group}` : ''} failed: HTTP ${String(page.status)} ${page.body.slice(0, 200)}`);
    const list = rec(JSON.parse(page.body));
    for (const item of arr(list.items)) {
      const o = rec(item);
      // Secrets: keep the name and labels/annotations only, whatever the server sent.
      const obj = { ...(r.metadataOnly ? {} : o), apiVersion: r.group ? `${r.group}/${r.version}` : r.version, kind: r.kind, metadata: rec(o.metadata) } as KubeObject;
      if (!controlled(obj)) out.push(obj);
    }
    cont = str(rec(list.metadata).continue) || undefined;
  } while (cont);
  return out;
}

/** Kubeconfigs hold credentials: bounded like every input, and no error quotes their content. */
const KUBECONFIG_MAX_BYTES = 4 * 1024 * 1024;

const CLIENT_CHECK = /^(clusters|users|contexts)\[\d+\]\.[\w.]+ is missing$/;

/** A kubeconfig file read through ward's bounded reader; errors name the file, line and column only. */
export async function readKubeconfig(file: string): Promise<KubeConfig> {
  const text = decodeText(await readInputFile(file, { maxBytes: KUBECONFIG_MAX_BYTES, name: `kubeconfig ${file}` }), `kubeconfig ${file}`, DEFAULT_LIMITS);
  if (typeof text !== 'string') throw new Error(text.message);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lc.linePos(first.pos[0]);
    throw new Error(`kubeconfig ${file}:${String(line)}:${String(col)}: ${yamlErrorMessage(first.code)}`);
  }
  const got = documentValue(doc, DEFAULT_LIMITS.maxAliasCount);
  if (!('value' in got)) {
    const { line, col } = lc.linePos(got.offset);
    throw new Error(`kubeconfig ${file}:${String(line)}:${String(col)}: ${got.message}`);
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromString(JSON.stringify(got.value ?? {}));
  } catch (err) {
    const why = err instanceof Error && CLIENT_CHECK.test(err.message) ? err.message : 'expected a mapping with clusters, users and contexts';
    throw new Error(`kubeconfig ${file}: not a valid kubeconfig: ${why}`);
  }
  kc.makePathsAbsolute(dirname(file));
  return kc;
}

/** The kubeconfig files kubectl would read: KUBECONFIG (merged, first wins) or ~/.kube/config. */
function defaultKubeconfigs(env: NodeJS.ProcessEnv): string[] {
  const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (fromEnv.length) return fromEnv;
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  return existsSync(home) ? [home] : [];
}

async function loadConfig(options: ClusterOptions): Promise<KubeConfig> {
  if (options.kubeConfig) return options.kubeConfig;
  const files = options.kubeconfig ? [options.kubeconfig] : defaultKubeconfigs(process.env);
  let kc: KubeConfig;
  if (files.length === 0) {
    kc = new KubeConfig();
    kc.loadFromDefault(); // no file: in-cluster service account (client-node's default)
  } else {
    kc = await readKubeconfig(files[0]!);
    for (const f of files.slice(1)) kc.mergeConfig(await readKubeconfig(f));
  }
  if (options.context) kc.setCurrentContext(options.context);
  return kc;
}

/** Every object of the audited kinds in the cluster (Secrets as metadata only). */
export async function readCluster(options: ClusterOptions = {}): Promise<KubeObject[]> {
  const kc = await loadConfig(options);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    const lists = await Promise.all(AUDITED_RESOURCES.map((r) => listResource(kc, agent, r, options.pageSize ?? 500)));
    return lists.flat();
  } finally {
    agent.destroy();
  }
}
