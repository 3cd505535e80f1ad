/**
 * TLS-001: Kafka without TLS. A broker's listeners (`listeners` + `listener.security.protocol.map`
 * in a ConfigMap-mounted server.properties, or Bitnami/Confluent `KAFKA_CFG_*`/`KAFKA_*` env), and
 * clients that say PLAINTEXT themselves (`security.protocol`) or bootstrap from a listener the
 * input shows to be PLAINTEXT (a Kafka client's default security.protocol is PLAINTEXT).
 */
import { rec, recs } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import { servingContainers, type Workload } from '../index/workloads.js';
import { addressesIn, type Address } from '../init/references.js';
import type { Finding, Rule } from '../types.js';
import { compact, placedFinding, settingGroups, type PlacedSetting, type SettingGroup } from './setting-groups.js';
import { defineRule, NSA } from './util.js';

export const TLS_KAFKA_PLAINTEXT = 'WARD-TLS-001';

const PROTOCOLS = new Set(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);
const WITHOUT_TLS = new Set(['PLAINTEXT', 'SASL_PLAINTEXT']);

interface Listener { readonly name: string; readonly port?: number; readonly protocol?: string }

/** `listeners`, `listener.security.protocol.map` however spelt: `KAFKA_CFG_LISTENERS`, `KAFKA_LISTENER_SECURITY_PROTOCOL_MAP`. */
const kafkaName = (name: string): string => compact(name).replace(/^kafka(cfg)?/, '');

function parseListeners(listeners: string | undefined, map: string | undefined): Listener[] {
  const protocols = new Map((map ?? '').split(',').map((p) => p.trim().split(':')).filter((p) => p.length === 2).map(([n = '', p = '']) => [n.toUpperCase(), p.toUpperCase()]));
  if (listeners === undefined) return [...protocols].map(([name, protocol]) => ({ name, protocol }));
  return listeners.split(',').flatMap((l): Listener[] => {
    const m = /^\s*([A-Za-z0-9_]+):\/\/[^,]*?(?::(\d+))?\s*$/.exec(l);
    if (!m) return [];
    const name = (m[1] ?? '').toUpperCase();
    const protocol = protocols.get(name) ?? (PROTOCOLS.has(name) ? name : undefined);
    return [{ name, ...(m[2] ? { port: Number(m[2]) } : {}), ...(protocol ? { protocol } : {}) }];
  });
}

/** The broker listeners a group of settings configures, and the setting a finding points at. */
function brokerOf(settings: readonly PlacedSetting[]): { listeners: Listener[]; at: PlacedSetting } | undefined {
  const listeners = settings.find((s) => kafkaName(s.name) === 'listeners');
  const map = settings.find((s) => kafkaName(s.name) === 'listenersecurityprotocolmap');
  const at = map ?? listeners;
  if (!at) return undefined;
  const parsed = parseListeners(listeners?.value, map?.value);
  return parsed.some((l) => l.protocol !== undefined) ? { listeners: parsed, at } : undefined;
}

/** Listeners of the broker a workload runs: its env and the settings files of the ConfigMaps it mounts. */
function workloadListeners(w: Workload, groups: readonly SettingGroup[]): Listener[] {
  return groups.filter((g) => g.workloads.includes(w)).flatMap((g) => brokerOf(g.settings)?.listeners ?? []);
}

function targetPort(w: Workload, target: unknown): number | undefined {
  if (typeof target === 'number') return target;
  for (const c of servingContainers(w)) for (const p of recs(c.container.ports)) if (p.name === target && typeof p.containerPort === 'number') return p.containerPort;
  return undefined;
}

/** The broker listener behind `host:port` as a Service of the input resolves it. */
function listenerBehind(index: ObjectIndex, a: Address, clientNs: string, groups: readonly SettingGroup[]): { listener: Listener; broker: Workload } | undefined {
  const [name = '', ns, svc] = a.host.split('.');
  const namespace = ns !== undefined && (svc === undefined || svc === 'svc') ? ns : clientNs;
  const service = index.get('Service', namespace, name);
  if (!service) return undefined;
  const port = a.port ?? 9092;
  const sp = recs(rec(service.spec).ports).find((p) => p.port === port);
  if (!sp) return undefined;
  for (const broker of index.serviceTargets(service)) {
    const target = targetPort(broker, sp.targetPort ?? port);
    const listener = workloadListeners(broker, groups).find((l) => l.port === target);
    if (listener) return { listener, broker };
  }
  return undefined;
}

function clientProblem(index: ObjectIndex, group: SettingGroup, groups: readonly SettingGroup[]): { at: PlacedSetting; what: string } | undefined {
  const protocol = group.settings.find((s) => compact(s.name).endsWith('securityprotocol'));
  if (protocol) return WITHOUT_TLS.has(protocol.value.trim().toUpperCase()) ? { at: protocol, what: `sets ${protocol.name} to ${protocol.value.trim().toUpperCase()}` } : undefined;
  const ns = index.namespaceOf(group.object) ?? '';
  for (const s of group.settings.filter((x) => compact(x.name).endsWith('bootstrapservers'))) {
    for (const a of addressesIn(s.value)) {
      const behind = listenerBehind(index, a, ns, groups);
      if (behind && WITHOUT_TLS.has(behind.listener.protocol ?? '')) {
        return { at: s, what: `bootstraps from ${a.host}${a.port !== undefined ? `:${String(a.port)}` : ''}, listener ${behind.listener.name} of ${behind.broker.ref.kind} ${behind.broker.namespace}/${behind.broker.ref.name}, which is ${behind.listener.protocol ?? ''}` };
      }
    }
  }
  return undefined;
}

function groupFindings(index: ObjectIndex, rule: Rule, group: SettingGroup, groups: readonly SettingGroup[]): Finding[] {
  const broker = brokerOf(group.settings);
  if (broker) {
    const plain = broker.listeners.filter((l) => WITHOUT_TLS.has(l.protocol ?? ''));
    return plain.length ? [placedFinding(index, rule, group, broker.at, `configures Kafka listeners without TLS: ${plain.map((l) => `${l.name} (${l.protocol ?? ''})`).join(', ')}`)] : [];
  }
  const client = clientProblem(index, group, groups);
  return client ? [placedFinding(index, rule, group, client.at, client.what)] : [];
}

export const kafkaPlaintext: Rule = defineRule({
  id: TLS_KAFKA_PLAINTEXT, title: 'Kafka listener or client without TLS', severity: 'high',
  rationale: 'PLAINTEXT (and SASL_PLAINTEXT, whose SASL PLAIN passwords travel in clear) Kafka carries the records in clear: in OpenG2P the Debezium change stream of the registry database, i.e. the personal data itself. Under Istio STRICT mTLS the hop between sidecars is encrypted on the wire, but the application still speaks plaintext: anything outside the mesh, a sidecar-less pod, a PERMISSIVE port or a node capture sees it, and the broker cannot authenticate its clients. The finding stands with the mesh; the mesh is defence in depth.',
  remediation: 'Use SSL or SASL_SSL listeners (Bitnami kafka: listeners.client.protocol / interbroker / controller: SASL_SSL, with tls.* certificates) and set security.protocol=SASL_SSL (or SSL) on every client.',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  // SR 1.3.1: openg2p-social-registry/charts/reporting/charts/kafka/templates/controller-eligible/configmap.yaml renders
  // listener.security.protocol.map=CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT (charts/reporting/values.yaml
  // kafka.listeners.*.protocol: PLAINTEXT); Debezium (BOOTSTRAP_SERVERS), kafka-ui (config.yml bootstrapServers) and the
  // OpenSearch Kafka connector (connect-distributed.properties bootstrap.servers) connect to its CLIENT listener on 9092.
  check: (index) => {
    const groups = settingGroups(index);
    return groups.flatMap((g) => groupFindings(index, kafkaPlaintext, g, groups));
  },
});
