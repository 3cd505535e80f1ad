/**
 * The data tier as the ODOO, PG and S3 rules see it: the containers that run Odoo, PostgreSQL or
 * MinIO (by image; Odoo also by the Bitnami variables its image reads), each with its
 * environment (literal, from ConfigMaps, or only the name when it comes from a Secret) and its
 * command line, and the settings files (odoo.conf, pg_hba.conf) held in ConfigMaps. Pure.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { rec, recs, str, strs } from '../index/access.js';
import { envOf, type EnvEntry } from '../index/env.js';
import type { ObjectIndex } from '../index/object-index.js';
import { imageRepository, isHelmHook } from '../index/personal-data.js';
import { configMapEntries } from '../index/settings.js';
import { describeContainer, type ContainerEntry, type Workload } from '../index/workloads.js';
import type { FieldPath } from '../load/types.js';

export type StoreKind = 'odoo' | 'postgresql' | 'minio';

/** One container of a data store with what it runs with. */
export interface StoreContainer {
  readonly kind: StoreKind;
  readonly workload: Workload;
  readonly container: ContainerEntry;
  /** `Deployment sr/sr-odoo container "sr-odoo"`. */
  readonly where: string;
  readonly env: ReadonlyMap<string, EnvEntry>;
  /** Command and args, in order. */
  readonly argv: readonly string[];
}

/** Variables only the Bitnami Odoo image reads (bitnami/containers bitnami/odoo/*: odoo-env.sh). */
const BITNAMI_ENV = { odoo: /^ODOO_(DATABASE_HOST|DATABASE_NAME|DATABASE_USER|PASSWORD|EMAIL|LIST_DB|LOAD_DEMO_DATA|SKIP_BOOTSTRAP)$/ } as const;

/** Image repositories (imageRepository form) of each store. Client images (minio-client, postgres-exporter) are not servers. */
const IMAGE: Readonly<Record<StoreKind, RegExp>> = {
  odoo: /(^|\/)odoo$|(^|\/)[\w.-]*-odoo(-package)?$/,
  postgresql: /(^|\/)(postgresql|postgres)$/,
  minio: /(^|\/)minio$/,
};

/**
 * By image; Odoo also by its Bitnami variables (OpenG2P builds Odoo images under its own names).
 * PostgreSQL and MinIO only by image: their clients carry POSTGRESQL_* / MINIO_* variables too.
 */
function kindOf(image: string, env: ReadonlyMap<string, EnvEntry>): StoreKind | undefined {
  const repo = imageRepository(image);
  if (IMAGE.odoo.test(repo) || [...env.keys()].some((n) => BITNAMI_ENV.odoo.test(n))) return 'odoo';
  return (['postgresql', 'minio'] as const).find((kind) => IMAGE[kind].test(repo));
}

/** Every running container (not init containers, not Helm hooks) of an Odoo, PostgreSQL or MinIO server. */
export function storeContainers(index: ObjectIndex, only?: StoreKind): StoreContainer[] {
  const out: StoreContainer[] = [];
  for (const w of index.workloads) {
    if (isHelmHook(w)) continue;
    for (const c of w.containers.filter((x) => x.kind === 'container')) {
      const env = new Map(envOf(index, w, c).map((e) => [e.name, e]));
      const kind = kindOf(str(c.container.image) ?? '', env);
      if (!kind || (only && kind !== only)) continue;
      out.push({ kind, workload: w, container: c, where: describeContainer(w, c), env, argv: [...strs(c.container.command), ...strs(c.container.args)] });
    }
  }
  return out;
}

/** The literal value of an env variable (undefined: unset, or from a Secret). */
export const envValue = (s: StoreContainer, name: string): string | undefined => s.env.get(name)?.value;

/** `--name=value` or `--name value` on the command line (last wins, as optparse reads it). */
export function argValue(argv: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  argv.forEach((a, i) => {
    if (a.startsWith(`${name}=`)) found = a.slice(name.length + 1);
    else if (a === name && argv[i + 1] !== undefined) found = argv[i + 1];
  });
  return found;
}

/** A settings file in a ConfigMap key, with where it is. */
export interface SettingsFile {
  readonly object: KubeObject;
  readonly key: string;
  readonly text: string;
  readonly where: string;
  readonly path: FieldPath;
}

/** ConfigMap keys whose text `test` accepts (e.g. an odoo.conf with an [options] section). */
export function configFiles(index: ObjectIndex, test: (key: string, text: string) => boolean): SettingsFile[] {
  return index.ofKind('ConfigMap').flatMap((cm) => configMapEntries(cm).filter(([k, v]) => test(k, v))
    .map(([key, text]) => ({ object: cm, key, text, where: `ConfigMap ${index.namespaceOf(cm) ?? ''}/${cm.metadata.name} key "${key}"`, path: ['data', key] })));
}

/** Names of the ConfigMaps a workload mounts as volumes (directly or projected). */
export function mountedConfigMaps(w: Workload): string[] {
  return recs(w.podSpec.volumes).flatMap((v) => [str(rec(v.configMap).name), ...recs(rec(v.projected).sources).map((s) => str(rec(s.configMap).name))])
    .filter((n): n is string => n !== undefined);
}
