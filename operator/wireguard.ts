import { Labels, type KubeObject } from '../charts-src/kube.js';
import type { RegistrySpec } from '../charts-src/model/index.js';
import { generateKeyPair, isWireguardKey, publicKeyFromPrivate, type RandomBytes } from '../charts-src/wireguard/keys.js';
import { ConditionType, Reason, type ConditionResult } from './conditions.js';
import type { ClusterPort } from './port.js';

/**
 * The WireGuard server key: generated in-cluster into its Secret when absent (X25519), never
 * anywhere else. Only the public key and the endpoint go to status. Client private keys are never
 * generated or held: administrators bring their own public keys.
 */

export interface GatewayOutcome {
  readonly condition: ConditionResult;
  readonly publicKey?: string;
  readonly endpoint?: string;
  readonly serverKeySecret: string;
  /** True when this reconcile generated the key (evented once; the condition stays stable). */
  readonly generated?: boolean;
}

type Wireguard = NonNullable<RegistrySpec['wireguard']>;

/** The Secret holding a freshly generated server key (labelled so cleanup can find it by name). */
export function serverKeySecret(wg: Wireguard, privateKey: string, ownerLabels: Readonly<Record<string, string>>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: wg.privateKeySecret.name,
      namespace: wg.namespace,
      labels: { ...ownerLabels, 'app.kubernetes.io/component': 'wireguard-server-key' },
      annotations: { 'ward.g2p.dev/generated-by': 'ward-operator' },
    },
    type: 'Opaque',
    data: { [wg.privateKeySecret.key]: Buffer.from(privateKey, 'utf8').toString('base64') },
  };
}

/** `host:port` from the gateway Service's load-balancer status, when it has one. */
export function endpointFromService(service: KubeObject | undefined, listenPort: number): string | undefined {
  const ingress = (service?.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)?.loadBalancer?.ingress?.[0];
  const host = ingress?.hostname ?? ingress?.ip;
  return host ? `${host}:${String(listenPort)}` : undefined;
}

export interface GatewayInput {
  readonly wg: Wireguard;
  readonly ownerLabels: Readonly<Record<string, string>>;
  readonly randomBytes?: RandomBytes | undefined;
  /** Every gateway object was applied. */
  readonly gatewayApplied: boolean;
  /** The gateway's live Service (for the endpoint). */
  readonly service?: KubeObject | undefined;
  /** The gateway's live Deployment (for availability). */
  readonly deployment?: KubeObject | undefined;
}

/** Why the gateway Deployment is not serving yet, or undefined when it has an available replica. */
export function unavailable(deployment: KubeObject | undefined): string | undefined {
  if (!deployment) return 'the spec produced no gateway Deployment';
  const status = deployment.status as { availableReplicas?: number } | undefined;
  const where = `Deployment ${deployment.metadata.namespace ?? ''}/${deployment.metadata.name}`;
  return (status?.availableReplicas ?? 0) >= 1 ? undefined : `${where} has no available replica yet (image pulled? kubelet allows net.ipv4.ip_forward? see docs/wireguard.md)`;
}

function gatewayCondition(input: GatewayInput, what: string): ConditionResult {
  const type = ConditionType.GatewayReady;
  if (!input.gatewayApplied) return { type, status: 'False', reason: Reason.ApplyFailed, message: `${what}; gateway objects not applied yet` };
  const notServing = unavailable(input.deployment);
  if (notServing) return { type, status: 'False', reason: Reason.GatewayUnavailable, message: `${what}; ${notServing}` };
  return { type, status: 'True', reason: Reason.ServerKeyPresent, message: `${what}; gateway objects applied and available` };
}

export async function ensureServerKey(port: ClusterPort, input: GatewayInput): Promise<GatewayOutcome> {
  const { wg, ownerLabels, randomBytes, service } = input;
  const where = `Secret "${wg.privateKeySecret.name}" in namespace "${wg.namespace}"`;
  const base = { serverKeySecret: wg.privateKeySecret.name };
  const endpoint = endpointFromService(service, wg.listenPort);
  const withEndpoint = endpoint ? { endpoint } : {};
  const facts = await port.getSecret(wg.namespace, wg.privateKeySecret.name);
  if (facts.found === 'error') {
    return { ...base, condition: { type: ConditionType.GatewayReady, status: 'False', reason: Reason.ServerKeyInvalid, message: `${where} could not be read: ${facts.error}` } };
  }
  if (facts.found === false) {
    const pair = generateKeyPair(...(randomBytes ? [randomBytes] : []));
    await port.createSecret(serverKeySecret(wg, pair.privateKey, ownerLabels));
    return { ...base, ...withEndpoint, publicKey: pair.publicKey, generated: true, condition: gatewayCondition(input, `server key present in ${where}`) };
  }
  const raw = facts.data[wg.privateKeySecret.key];
  const value = raw ? Buffer.from(raw).toString('utf8').trim() : '';
  if (!isWireguardKey(value)) {
    return { ...base, condition: { type: ConditionType.GatewayReady, status: 'False', reason: Reason.ServerKeyInvalid, message: `${where} key "${wg.privateKeySecret.key}" is not a WireGuard private key (44 characters of base64): delete the Secret to have a new key generated` } };
  }
  const publicKey = publicKeyFromPrivate(value);
  return {
    ...base, ...withEndpoint, publicKey,
    condition: gatewayCondition(input, `server key present in ${where}`),
  };
}

export const isGeneratedKeyOf = (labels: Readonly<Record<string, string>> | undefined, uid: string): boolean => labels?.[Labels.ownerUid] === uid && labels[Labels.managedBy] === Labels.managedByValue;
