/**
 * How Kubernetes reads YAML, so that ward sees a manifest as `kubectl apply` and Helm make the API
 * server see it. Both decode through sigs.k8s.io/yaml, which uses a fork of go-yaml v2: YAML 1.1
 * scalar resolution (go-yaml v2 resolve.go), not the YAML 1.2 core schema the `yaml` package uses
 * by default. The difference is real on the OpenG2P Social Registry 1.3.1 chart: its key-manager
 * Deployment and two Jobs say `defaultMode: 0755`, which Kubernetes reads as octal 493 and YAML 1.2
 * as decimal 755 (an invalid mode); `on`/`off`/`yes`/`no` are booleans in YAML 1.1.
 * Kept from YAML 1.2: plain timestamps stay strings (go-yaml v2 decodes them as strings into an
 * interface{} "for backward compatibility"), and sexagesimal numbers (`1:20`) stay strings (go-yaml v2
 * has none).
 */
import type { CreateNodeOptions, DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';

type Tag = { tag: string; format?: string; test?: RegExp };

/**
 * An exponent float needs a mantissa, as in go-yaml v2 (resolve.go yamlStyleFloat:
 * `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, underscores removed first): `e0` and `.e5`
 * are strings to Kubernetes, where the `yaml` package's 1.1 schema reads them as NaN.
 */
export const FLOAT_EXP = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$/;

/** Drops YAML 1.1's timestamp and sexagesimal tags, which go-yaml v2 does not resolve for untyped decoding; exponent floats need a mantissa. */
function kubernetesTags(tags: readonly unknown[]): never {
  return tags.filter((t) => {
    const tag = t as Tag;
    return tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.format !== 'TIME';
  }).map((t) => ((t as Tag).format === 'EXP' && (t as Tag).tag === 'tag:yaml.org,2002:float' ? { ...(t as object), test: FLOAT_EXP } : t)) as never;
}

/** Options for `yaml`'s Composer / parseAllDocuments / parseDocument that resolve scalars as Kubernetes does. */
export const KUBE_YAML: ParseOptions & DocumentOptions & SchemaOptions & CreateNodeOptions = {
  version: '1.1',
  schema: 'yaml-1.1',
  customTags: kubernetesTags,
};
