/**
 * Which workloads hold personal data, and why. Three reasons, in this order of precedence:
 * the label `ward.g2p.dev/personal-data: "true"` (on the pod template or the workload), a component
 * of a RegistryDeployment in the input declared `personalData: true`, or the image of a running
 * container recognised by one of the profile's `personalData.images` entries (openg2p-audit lists
 * the stores of the OpenG2P stack). Pure: the object index asks, the reporters describe.
 */
import type { Workload } from './workloads.js';
import { servingContainers } from './workloads.js';
import { str, strMap } from './access.js';

export const PERSONAL_DATA_LABEL = 'ward.g2p.dev/personal-data';

/** One image a profile recognises as a store of personal data. */
export interface ImageRecogniser {
  /** Short name printed in reports, e.g. `Odoo`. */
  readonly name: string;
  /** Tested against the image's repository path (no registry host, tag or digest; lower case), e.g. `bitnami/postgresql`. */
  readonly match: RegExp;
  /** Why a workload running it holds personal data, e.g. `Odoo holds the registry`. */
  readonly why: string;
}

/** What a profile recognises as holding personal data beyond labels and RegistryDeployments. */
export interface PersonalDataRecognisers {
  /** @default [] (no recognition by image) */
  readonly images: readonly ImageRecogniser[];
}

export type PersonalDataReason =
  | { readonly by: 'label'; readonly on: 'pod template' | 'workload' }
  | { readonly by: 'component'; readonly registryDeployment: string; readonly component: string }
  | { readonly by: 'image'; readonly container: string; readonly image: string; readonly name: string; readonly why: string };

/**
 * The repository path of an image reference: the registry host (a first segment with a `.` or a `:`,
 * or `localhost`), the tag and the digest removed, lower case. `registry:5000/odoo:17` → `odoo`;
 * `docker.io/bitnami/postgresql:16.3.0@sha256:…` → `bitnami/postgresql`.
 */
export function imageRepository(image: string): string {
  const named = image.trim().split('@')[0] ?? '';
  const colon = named.lastIndexOf(':');
  const path = (colon > named.lastIndexOf('/') ? named.slice(0, colon) : named).split('/');
  const first = path[0] ?? '';
  if (path.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) path.shift();
  return path.join('/').toLowerCase();
}

/** True when the workload (or its pod template) is labelled `ward.g2p.dev/personal-data` with `value`. */
function labelled(w: Workload, value: 'true' | 'false'): 'pod template' | 'workload' | undefined {
  if (w.podLabels[PERSONAL_DATA_LABEL] === value) return 'pod template';
  return strMap(w.object.metadata.labels)[PERSONAL_DATA_LABEL] === value ? 'workload' : undefined;
}

export function labelReason(w: Workload): PersonalDataReason | undefined {
  const on = labelled(w, 'true');
  return on ? { by: 'label', on } : undefined;
}

/** A Helm hook (install job, `helm test` pod): it runs once and stores nothing, whatever its image. */
export const isHelmHook = (w: Workload): boolean => strMap(w.object.metadata.annotations)['helm.sh/hook'] !== undefined;

/**
 * The first running container (app containers, then native sidecars; init containers have exited)
 * whose image a recogniser matches. Not for Helm hooks, nor for a workload labelled
 * `ward.g2p.dev/personal-data: "false"` (the explicit opt-out).
 */
export function imageReason(w: Workload, recognisers: PersonalDataRecognisers): PersonalDataReason | undefined {
  if (recognisers.images.length === 0 || isHelmHook(w) || labelled(w, 'false')) return undefined;
  for (const c of servingContainers(w)) {
    const image = str(c.container.image) ?? '';
    const repo = imageRepository(image);
    const known = repo ? recognisers.images.find((r) => r.match.test(repo)) : undefined;
    if (known) return { by: 'image', container: c.name, image, name: known.name, why: known.why };
  }
  return undefined;
}

/** One line: why the workload is taken as holding personal data. */
export function describeReason(r: PersonalDataReason): string {
  switch (r.by) {
    case 'label': return `labelled ${PERSONAL_DATA_LABEL}: "true" (${r.on})`;
    case 'component': return `component ${r.component} of RegistryDeployment ${r.registryDeployment} has personalData: true`;
    case 'image': return `container "${r.container}" runs ${r.image} (${r.name}): ${r.why}`;
  }
}
