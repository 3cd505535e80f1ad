/**
 * The loader's fast path (policies/load/fast-yaml.ts) against the full `yaml` parser it stands in
 * for (parseFull): the same objects, document indexes, lines and columns, Helm sources, errors and
 * warnings, and the same location for every field path — on every YAML fixture of the repository,
 * on the check benchmark's 10,000-object corpus, on generated objects written in block and flow
 * style, and on hand-made documents the fast path must leave to the full parser. The real OpenG2P
 * render is compared in test/system/openg2p-chart.test.ts.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { corpus } from '../../../bench/check.bench.js';
import { resolvePlain } from '../../../policies/load/fast-yaml.js';
import { fastShare } from '../../support/fast-share.js';
import { parseFull, parseText } from '../../../policies/load/parse.js';
import { DEFAULT_LIMITS, type FieldPath, type LoadResult } from '../../../policies/load/types.js';
import { parseDocument } from 'yaml';
import { KUBE_YAML } from '../../../policies/load/kube-yaml.js';

function paths(v: unknown, prefix: FieldPath = [], out: FieldPath[] = [], limit = 400): FieldPath[] {
  if (out.length >= limit) return out;
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out, limit));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out, limit);
  return out;
}

/** What a load result says, with every located path resolved. */
function view(r: LoadResult & { warnings?: unknown[] }): unknown {
  return {
    errors: r.errors,
    warnings: r.warnings,
    documents: r.documents.map((d) => ({
      object: d.object, docIndex: d.docIndex, line: d.line, column: d.column, helmSource: d.helmSource, secretFacts: d.secretFacts,
      at: paths(d.object).map((p) => [p.join('.'), d.locate(p)]),
    })),
  };
}

function expectSame(text: string, file = 'in.yaml'): void {
  // parseText strips a BOM before either path (as it always did).
  const full = parseFull(text.replace(/^\uFEFF/, ''), file, DEFAULT_LIMITS, { documents: 0 });
  expect(view(parseText(text, file))).toEqual(view(full));
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(e) ? [p] : [];
  });
}

describe('the fast YAML path reads what the full parser reads', () => {
  it('on every YAML file under test/fixtures and examples/', () => {
    const files = [...yamlFiles('test/fixtures'), ...yamlFiles('examples')];
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) expectSame(readFileSync(f, 'utf8'), f);
  });

  it('on the 10,000-object check corpus (flow style), every document through the fast path', () => {
    const { text } = corpus();
    expectSame(text, 'corpus.yaml');
    expect(fastShare(text)).toEqual({ fast: 10000, all: 10000 });
  });

  const key = fc.oneof(fc.constantFrom('name', 'app.kubernetes.io/name', 'a b', '9187', 'on', 'yes', 'null', '0755', 'x:y', '-x', 'k#v'), fc.string({ maxLength: 8 }));
  const scalar = fc.oneof(
    fc.constantFrom('', '~', 'null', 'yes', 'No', 'on', 'OFF', 'y', 'n', '0755', '08', '0x1F', '0b101', '1_000', '-0', '+5', '1e3', '1.5', '.5', '1.', '.inf', '-.Inf', '.nan', '500m', '1Gi', '2024-01-01', '1:20', 'v1.2.3', 'e0', '.e5', 'E12', '1e5', '.5e3', '1_0e2', 'a: b', 'a #b', '#x', '- x', '[a]', '{a}', "it's", 'say "hi"', 'tab\there', 'back\\slash', 'é ü', '\u2028', ' lead', 'trail ', 'multi\nline', 'multi\nline\n', 'keep\n\n'),
    fc.string({ maxLength: 12 }),
    fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: 4 }),
    map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  })).node;
  const object = fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), metadata: fc.record({ name: fc.constant('c') }), data: fc.dictionary(key, value, { maxKeys: 5 }) });

  it('on generated objects written by a YAML library in block, flow and mixed style', () => {
    fc.assert(fc.property(fc.array(object, { minLength: 1, maxLength: 3 }), fc.constantFrom('block', 'flow', 'mixed'), fc.boolean(), (objects, style, indentSeq) => {
      const opts = style === 'flow' ? { collectionStyle: 'flow' as const } : style === 'mixed' ? { flowCollectionPadding: false, lineWidth: 40 } : { indentSeq };
      expectSame(objects.map((o) => stringify(o, opts)).join('---\n# Source: chart/templates/x.yaml\n'));
    }), { numRuns: Number(process.env.FAST_YAML_RUNS ?? 400) });
  });

  it('resolves plain scalars as the yaml-1.1 schema (Kubernetes) does', () => {
    for (const s of ['~', 'null', 'NULL', 'Null', '', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'no', 'off', 'true', 'False', '0755', '-0755', '08', '0', '-0', '+12', '1_000', '0x_1F', '0b1_0', '.inf', '-.INF', '+.inf', '.NaN', '1e3', '-1.5E-2', '1.', '.5', '1.5_0', '12:30', '2026-12-02', '1.2.3', '500m', 'x', 'yes please', 'v1', 'e0', '.e5', '1e5', '.5e3', '1_0e2']) {
      const full = parseDocument(`k: ${s}`, KUBE_YAML).toJS() as { k: unknown };
      expect(resolvePlain(s), s).toEqual(full.k);
    }
  });

  it('reads an exponent without a mantissa (e0) as a string, as Kubernetes (go-yaml) does, on both paths', () => {
    for (const text of ['e0: x\nk: e0\nj: .e5\nf: 1e5\n']) {
      const fast = parseText(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  ${text.replace(/\n(?=.)/g, '\n  ')}`, 'a.yaml');
      expect(fast.documents[0]!.object.data).toEqual({ e0: 'x', k: 'e0', j: '.e5', f: 100000 });
      expectSame(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {e0: x, k: e0, j: .e5, f: 1e5}\n`);
    }
  });

  it('leaves what it does not read to the full parser, which gives the same result (and the errors)', () => {
    const docs = [
      'a: &x 1\nb: *x\n', 'a: !!str 1\n', '<<: {a: 1}\n', 'a: >\n  folded\n  text\n', 'a: |2\n   indented\n', 'a: |+\n  kept\n\n', 'a: plain\n  continued\n',
      'a: "multi\n  line"\n', '? complex\n: key\n', 'a:\n\t- tab\n', 'a: 1\r\nb: 2\r\n', '%YAML 1.1\n---\na: 1\n', 'a: 1\n...\n', '--- a: 1\n', '- - nested\n', '-\n- x\n',
      'a: [1, 2,]\n', 'a: {b}\n', 'a: [b\n  , c]\n', 'key: value: bad\n', 'a: 1\n a: 2\n', '"unterminated: x\n', 'a: b\n- c\n', '{a: 1}: b\n', '__proto__: x\n', 'null: 1\n', 'a:\n  - 1\n - 2\n',
      'a: |\n  text\n # ok?\n', 'a: |\n\n   x\n  y\n', 'a: |\n', 'just a scalar\n', 'a: b #c\nd: "e" # f\n', 'a: [x, "y", {z: 1}]  # c\n', 'a:\n  {}\n', "a: 'it''s'\n", 'a: "\\x41\\u00e9\\U0001F600\\t"\n', 'a: "\\q"\n',
    ];
    for (const d of docs) expectSame(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  x: 1\n---\n${d}`);
  });

  it('splits streams as the full parser does: leading comments, empty documents, Helm sources, a BOM', () => {
    for (const t of ['# top comment\n---\na: 1\n', '---\n---\na: 1\n---\n', 'a: 1\n---\n# only a comment\n---\nb: 2\n', '---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n', '\uFEFFapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n', '---  # c\nkind: x\n', 'a: |\n  x\n---\nb: 1\n', '']) expectSame(t);
  });
});
