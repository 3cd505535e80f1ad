import { z } from 'zod';

/**
 * What the API server and Istio accept as names, checked before synthesis so that `ward synth`
 * never emits a manifest the cluster would refuse. The rules are Kubernetes' own
 * (k8s.io/apimachinery/pkg/util/validation: IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain;
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set).
 */

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `v` is not a DNS-1123 subdomain (lowercase labels of at most 63 characters joined by dots, at most 253), or undefined. */
export function dnsSubdomainProblem(v: string): string | undefined {
  if (v.length === 0) return 'must not be empty';
  if (v.length > 253) return `is ${String(v.length)} characters long: a DNS name has at most 253`;
  const bad = v.split('.').find((l) => l.length > 63 || !DNS_LABEL.test(l));
  if (bad === undefined) return undefined;
  return bad.length > 63
    ? `has a part of ${String(bad.length)} characters: each dot-separated part of a DNS name has at most 63`
    : 'must be a DNS name: lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit';
}

/** Why `k` is not a label key (qualified name: optional DNS-subdomain prefix and "/", then a name of at most 63 characters), or undefined. */
export function labelKeyProblem(k: string): string | undefined {
  const slash = k.lastIndexOf('/');
  const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  if (prefix !== undefined) {
    const p = dnsSubdomainProblem(prefix);
    if (p !== undefined) return `has a prefix "${prefix.slice(0, 60)}" that is not a DNS name (it ${p})`;
  }
  if (name.length === 0) return 'has an empty name: a label key is [prefix/]name';
  if (name.length > 63) return `has a name of ${String(name.length)} characters: at most 63`;
  if (!NAME_PART.test(name)) return 'may hold only letters, digits, "-", "_" and ".", starting and ending with a letter or digit, after an optional DNS prefix and "/" (e.g. app.kubernetes.io/name)';
  return undefined;
}

/** Why `v` is not a label value (empty, or at most 63 characters of letters, digits, "-", "_", "." starting and ending alphanumeric), or undefined. */
export function labelValueProblem(v: string): string | undefined {
  if (v === '') return undefined;
  if (v.length > 63) return `is ${String(v.length)} characters long: a label value has at most 63`;
  if (!NAME_PART.test(v)) return 'may hold only letters, digits, "-", "_" and ".", starting and ending with a letter or digit (or be empty)';
  return undefined;
}

const quote = (v: string): string => JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);

/** A label map (selector, matchLabels): every key and value as the API server requires. */
export const labelMap = z.record(z.string(), z.string()).superRefine((m, ctx) => {
  for (const [k, v] of Object.entries(m)) {
    const keyProblem = labelKeyProblem(k);
    if (keyProblem !== undefined) ctx.addIssue({ code: 'custom', path: [k], input: k, message: `label key ${quote(k)} ${keyProblem}` });
    const valueProblem = labelValueProblem(v);
    if (valueProblem !== undefined) ctx.addIssue({ code: 'custom', path: [k], input: v, message: `label value ${quote(v)} ${valueProblem}` });
  }
});

/**
 * A host name of a Gateway or VirtualService: a lowercase DNS name. A "*" is left to the semantic
 * check, which says why a wildcard is refused.
 */
export const hostName = z.string().superRefine((h, ctx) => {
  if (h.includes('*')) return;
  const problem = dnsSubdomainProblem(h);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', input: h, message: `host ${quote(h)} ${problem}, e.g. registry.example.org` });
});

/** A name the API server requires to be a DNS-1123 subdomain (Secret names, credentialName). */
export const dnsSubdomainName = z.string().superRefine((v, ctx) => {
  const problem = dnsSubdomainProblem(v);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', input: v, message: `name ${quote(v)} ${problem}` });
});
