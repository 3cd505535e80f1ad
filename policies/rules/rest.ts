/**
 * REST: encryption at rest of the volumes that hold personal data. For each workload taken as
 * holding personal data, each PersistentVolumeClaim it mounts (and each StatefulSet
 * volumeClaimTemplate) is traced to its StorageClass (named, or the input's default class) and the
 * class's provisioner judged from the table below. A class outside the input, or a provisioner the
 * table does not know, is "cannot tell" (low): an auditor attests it with a waiver.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { rec, recs, str, strMap } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';
import type { FieldPath } from '../load/types.js';
import type { Finding, Rule, Severity } from '../types.js';
import { defineRule, findingOf, NSA } from './util.js';

export const REST_UNENCRYPTED_VOLUME = 'WARD-REST-001';

/** How a provisioner encrypts: never, when a parameter asks for it, or by default with provider keys. */
export interface ProvisionerFact {
  readonly match: RegExp;
  readonly name: string;
  readonly kind: 'never' | 'parameter' | 'provider-default';
  /** The StorageClass parameter that turns encryption (or a customer-managed key) on, and its value (any when absent). */
  readonly parameter?: { readonly key: string; readonly value?: string };
  readonly source: string;
}

/** The documented table (docs/data-tier.md lists the same rows). */
export const PROVISIONERS: readonly ProvisionerFact[] = [
  { match: /^kubernetes\.io\/no-provisioner$/, name: 'local volumes', kind: 'never', source: 'https://kubernetes.io/docs/concepts/storage/storage-classes/#local' },
  { match: /hostpath|local-path|openebs\.io\/local/i, name: 'host path', kind: 'never', source: 'https://kubernetes.io/docs/concepts/storage/volumes/#hostpath' },
  { match: /nfs/i, name: 'NFS', kind: 'never', source: 'https://github.com/kubernetes-csi/csi-driver-nfs/blob/master/docs/driver-parameters.md (no encryption parameter)' },
  { match: /^(ebs\.csi\.aws\.com|kubernetes\.io\/aws-ebs)$/, name: 'AWS EBS', kind: 'parameter', parameter: { key: 'encrypted', value: 'true' }, source: 'https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md' },
  { match: /^(driver\.longhorn\.io|rancher\.io\/longhorn)$/, name: 'Longhorn', kind: 'parameter', parameter: { key: 'encrypted', value: 'true' }, source: 'https://longhorn.io/docs/latest/advanced-resources/security/volume-encryption/' },
  { match: /^(rbd\.csi\.ceph\.com|kubernetes\.io\/rbd)$/, name: 'Ceph RBD', kind: 'parameter', parameter: { key: 'encrypted', value: 'true' }, source: 'https://github.com/ceph/ceph-csi/blob/devel/docs/deploy-rbd.md#encryption-for-rbd-volumes' },
  { match: /^(pd\.csi\.storage\.gke\.io|kubernetes\.io\/gce-pd)$/, name: 'GCE Persistent Disk', kind: 'provider-default', parameter: { key: 'disk-encryption-kms-key' }, source: 'https://cloud.google.com/kubernetes-engine/docs/how-to/using-cmek' },
  { match: /^(disk\.csi\.azure\.com|kubernetes\.io\/azure-disk)$/, name: 'Azure Disk', kind: 'provider-default', parameter: { key: 'diskEncryptionSetID' }, source: 'https://github.com/kubernetes-sigs/azuredisk-csi-driver/blob/master/docs/driver-parameters.md' },
];

interface Claim {
  readonly name: string;
  readonly storageClassName?: string;
  readonly object: KubeObject;
  readonly path: FieldPath;
}

/** The claims a workload's pods mount: PVCs of the input by name, and StatefulSet volumeClaimTemplates. */
function claimsOf(index: ObjectIndex, w: Workload): Claim[] {
  const fromVolumes = recs(w.podSpec.volumes).flatMap((v) => {
    const claim = str(rec(v.persistentVolumeClaim).claimName);
    const pvc = claim ? index.get('PersistentVolumeClaim', w.namespace, claim) : undefined;
    if (!claim || !pvc) return [];
    const sc = str(rec(pvc.spec).storageClassName);
    return [{ name: `PersistentVolumeClaim ${w.namespace}/${claim}`, ...(sc !== undefined ? { storageClassName: sc } : {}), object: pvc, path: ['spec'] }];
  });
  const templates = w.object.kind === 'StatefulSet' ? recs(rec(w.object.spec).volumeClaimTemplates).map((t, i) => {
    const sc = str(rec(t.spec).storageClassName);
    return { name: `volumeClaimTemplate "${str(rec(t.metadata).name) ?? String(i)}"`, ...(sc !== undefined ? { storageClassName: sc } : {}), object: w.object, path: ['spec', 'volumeClaimTemplates', i] };
  }) : [];
  return [...fromVolumes, ...templates];
}

const defaultClass = (index: ObjectIndex): KubeObject | undefined =>
  index.ofKind('StorageClass').find((c) => strMap(c.metadata.annotations)['storageclass.kubernetes.io/is-default-class'] === 'true');

/** Whether a class sets its provisioner's encryption parameter (to the required value when there is one). */
function setsParameter(fact: ProvisionerFact, params: Readonly<Record<string, string>>): boolean {
  const p = fact.parameter;
  const v = p ? params[p.key] : undefined;
  return p !== undefined && v !== undefined && v !== '' && (p.value === undefined || v.toLowerCase() === p.value);
}

/** The verdict on a StorageClass: undefined when it encrypts with a key the operator controls. */
export function judgeClass(sc: KubeObject | undefined, named: string | undefined): { severity: Severity; what: string } | undefined {
  const label = named === undefined ? 'the cluster\'s default StorageClass' : `StorageClass ${named}`;
  if (!sc) return { severity: 'low', what: `${label} (not in the input): cannot tell whether it encrypts at rest` };
  const provisioner = str(sc.provisioner) ?? '';
  const fact = PROVISIONERS.find((p) => p.match.test(provisioner));
  const on = `${label} (${provisioner})`;
  if (!fact) return { severity: 'low', what: `${on}: cannot tell whether the provisioner encrypts at rest` };
  if (fact.kind === 'never') return { severity: 'high', what: `${on}, ${fact.name}, which does not encrypt at rest` };
  if (setsParameter(fact, strMap(sc.parameters))) return undefined;
  const key = fact.parameter?.key ?? '';
  if (fact.kind === 'provider-default') return { severity: 'low', what: `${on}, which encrypts with ${fact.name} provider-managed keys only (no ${key} parameter)` };
  return { severity: 'high', what: `${on}, which does not set the ${fact.name} encryption parameter ${key}: "${fact.parameter?.value ?? ''}"` };
}

function volumeFindings(index: ObjectIndex, rule: Rule, w: Workload): Finding[] {
  return claimsOf(index, w).flatMap((c) => {
    const sc = c.storageClassName !== undefined && c.storageClassName !== '' ? index.get('StorageClass', undefined, c.storageClassName) : defaultClass(index);
    const verdict = judgeClass(sc, c.storageClassName || (sc ? sc.metadata.name : undefined));
    if (!verdict) return [];
    return [findingOf(index, rule, c.object, `${c.name} of ${w.ref.kind} ${w.namespace}/${w.ref.name} (holds personal data) is on ${verdict.what}`, { path: c.path, severity: verdict.severity })];
  });
}

const unencryptedVolume: Rule = defineRule({
  id: REST_UNENCRYPTED_VOLUME, title: 'Personal data on a volume not known to be encrypted at rest', severity: 'high',
  rationale: 'Whoever gets the disk — a node, a snapshot, an NFS export, a backup, a decommissioned drive — reads the database files, the Odoo filestore and the attachments unless the volume is encrypted. OpenG2P\'s security page promises encryption of data in the database; Kubernetes leaves it to the StorageClass, and its production layout puts volumes on NFS. Unknown provisioners are reported as "cannot tell" (low) for an auditor to attest with a waiver.',
  remediation: 'Put personal-data volumes on a StorageClass that encrypts with a key you control (AWS EBS encrypted: "true" with kmsKeyId, Longhorn or Ceph RBD encrypted: "true", GCE disk-encryption-kms-key, Azure diskEncryptionSetID), or encrypt below it (LUKS, encrypted NFS backend) and waive the finding with that reason.',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => index.workloads.filter((w) => index.holdsPersonalData(w)).flatMap((w) => volumeFindings(index, unencryptedVolume, w)),
});

export const restRules: readonly Rule[] = [unencryptedVolume];
