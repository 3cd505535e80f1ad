import type { ExposureAuth, JwtIssuer } from './edge.js';
import { IssueCode, type SpecIssue } from './issues.js';
import type { Component, RegistrySpec } from './schema.js';
import { cidrIssues } from './topology.js';

/**
 * Cross-field rules of the edge controls (issue 13). Each issue names the bad value, the spec path
 * and what would be valid (STYLE.md 2). Pure: an inline JWKS is parsed, nothing is fetched.
 */
type Path = readonly (string | number)[];

/** Admin path patterns that would cover every path of the component: the public route itself. */
const WHOLE_ROUTE = new Set(['/', '/*', '*']);

/** Host names Istio resolves inside the cluster: http there stays in the cluster network. */
const IN_CLUSTER_HOST = /\.svc(\.cluster\.local)?$/;

function adminPathIssues(c: Component, at: Path): SpecIssue[] {
  const admin = c.exposure.adminPaths;
  if (admin === undefined) return [];
  const out: SpecIssue[] = [];
  if (c.exposure.type !== 'ingress') {
    out.push({ code: IssueCode.MissingDependency, path: [...at, 'exposure', 'adminPaths'], message: `component "${c.name}" is not published (exposure.type "${c.exposure.type}"): admin paths guard a public route; set exposure.type ingress or remove adminPaths` });
  }
  admin.paths.forEach((p, j) => {
    if (WHOLE_ROUTE.has(p)) out.push({ code: IssueCode.Overlap, path: [...at, 'exposure', 'adminPaths', 'paths', j], message: `admin path "${p}" covers the whole public route of component "${c.name}": list the administrative prefixes (e.g. /web/database/*), or set exposure.type none and publish it through the admin gateway only` });
  });
  return out;
}

function routeIssues(c: Component, at: Path): SpecIssue[] {
  if (c.exposure.route === undefined || c.exposure.type === 'ingress') return [];
  return [{ code: IssueCode.MissingDependency, path: [...at, 'exposure', 'route'], message: `component "${c.name}" is not published (exposure.type "${c.exposure.type}"): a public route needs exposure.type ingress and its hosts` }];
}

function allowedSourceIssues(spec: RegistrySpec, c: Component, at: Path): SpecIssue[] {
  if ((c.exposure.allowedSources ?? []).length === 0) return [];
  const out = (c.exposure.allowedSources ?? []).flatMap((s, j) => cidrIssues(s, [...at, 'exposure', 'allowedSources', j]));
  if (c.exposure.adminPaths === undefined || c.exposure.adminPaths.paths.length === 0) {
    out.push({ code: IssueCode.MissingDependency, path: [...at, 'exposure', 'allowedSources'], message: `allowedSources say where admin paths may be used from, but component "${c.name}" lists no exposure.adminPaths.paths` });
  }
  if (spec.mesh.ingress.trustedProxies === undefined) {
    out.push({ code: IssueCode.MissingDependency, path: [...at, 'exposure', 'allowedSources'], message: 'allowedSources are matched against the client address, which the gateway reads from X-Forwarded-For only as far as it trusts proxies: set mesh.ingress.trustedProxies (1 behind OpenG2P\'s Nginx, 0 when clients connect to the gateway directly)' });
  }
  return out;
}

/** Issues of an inline JWKS: JSON, an object with a non-empty `keys` list of public keys. */
export function jwksProblem(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return `is not JSON (${(e as Error).message})`;
  }
  const keys = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) return 'has no "keys" list: a JWKS is {"keys": [{"kty": ..., ...}]}';
  const bad = keys.findIndex((k) => k === null || typeof k !== 'object' || typeof (k as { kty?: unknown }).kty !== 'string');
  if (bad >= 0) return `has no "kty" in key ${bad}`;
  const priv = keys.findIndex((k) => ['d', 'p', 'q', 'k'].some((f) => Object.hasOwn(k as object, f)));
  if (priv >= 0) return `holds private key material ("d", "p", "q" or "k") in key ${priv}: a JWKS in the spec must hold public keys only`;
  return undefined;
}

function issuerIssues(i: JwtIssuer, at: Path): SpecIssue[] {
  const out: SpecIssue[] = [];
  if (!i.issuer.startsWith('https://')) {
    out.push({ code: IssueCode.InsecureUrl, path: [...at, 'issuer'], message: `issuer "${i.issuer}" is not https: tokens and discovery must come over TLS, e.g. ${i.issuer.replace(/^http:/, 'https:')}` });
  }
  if (i.jwksUri !== undefined && !i.jwksUri.startsWith('https://') && !IN_CLUSTER_HOST.test(new URL(i.jwksUri).hostname)) {
    out.push({ code: IssueCode.InsecureUrl, path: [...at, 'jwksUri'], message: `jwksUri "${i.jwksUri}" is http to a host outside the cluster: use https, or the in-cluster Service (<service>.<namespace>.svc.cluster.local)` });
  }
  if (i.jwksUri !== undefined && i.jwks !== undefined) {
    out.push({ code: IssueCode.InvalidValue, path: [...at, 'jwks'], message: 'set one of jwksUri or jwks, not both' });
  }
  const problem = i.jwks === undefined ? undefined : jwksProblem(i.jwks);
  if (problem !== undefined) out.push({ code: IssueCode.UnreadableJwks, path: [...at, 'jwks'], message: `the JWKS cannot be read: it ${problem}` });
  if (i.fromHeader !== undefined && i.fromCookie !== undefined) {
    out.push({ code: IssueCode.InvalidValue, path: [...at, 'fromCookie'], message: 'set one of fromHeader or fromCookie, not both' });
  }
  return out;
}

function authIssues(c: Component, auth: ExposureAuth | undefined, at: Path): SpecIssue[] {
  if (auth === undefined) return [];
  const out = auth.issuers.flatMap((i, j) => issuerIssues(i, [...at, 'exposure', 'auth', 'issuers', j]));
  if (c.exposure.type !== 'ingress' && !auth.inMesh) {
    out.push({ code: IssueCode.MissingDependency, path: [...at, 'exposure', 'auth', 'inMesh'], message: `component "${c.name}" is not published, so a token rule for the ingress gateway guards nothing: set inMesh: true to require tokens from its in-mesh callers` });
  }
  return out;
}

/** A public host that is also an admin route: the two gateways would publish the same name. */
function hostOverlapIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  const publicHosts = new Map<string, string>();
  for (const c of spec.components) for (const h of c.exposure.type === 'ingress' ? c.exposure.hosts : []) publicHosts.set(h.toLowerCase(), c.name);
  return (spec.wireguard?.routes ?? []).flatMap((r, i): SpecIssue[] => {
    const owner = publicHosts.get(r.host.toLowerCase());
    return owner === undefined ? [] : [{ code: IssueCode.Overlap, path: [...prefix, 'wireguard', 'routes', i, 'host'], message: `admin route host "${r.host}" is also a public host of component "${owner}": give the admin route its own name (e.g. ${r.host.replace(/^([^.]+)/, '$1-admin')})` }];
  });
}

function adminAccessIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  if (spec.adminAccess?.clientCertificates === undefined) return [];
  if (spec.wireguard?.enabled === true && spec.wireguard.routes.length > 0) return [];
  return [{ code: IssueCode.MissingDependency, path: [...prefix, 'adminAccess', 'clientCertificates'], message: 'client certificates are checked at the admin gateway, which ward publishes only with wireguard.enabled: true and at least one wireguard.routes entry' }];
}

/** Edge rules: admin paths, allowed sources, token rules, host overlaps, client certificates. */
export function edgeIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  const perComponent = spec.components.flatMap((c, i) => {
    const at = [...prefix, 'components', i];
    return [...adminPathIssues(c, at), ...routeIssues(c, at), ...allowedSourceIssues(spec, c, at), ...authIssues(c, c.exposure.auth, at)];
  });
  return [...perComponent, ...hostOverlapIssues(spec, prefix), ...adminAccessIssues(spec, prefix)];
}
