import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../policies/engine.js';
import { runCheck, buildIndex } from '../../../policies/engine.js';
import { reportFacts, withPlaceholders } from '../../../policies/flows/report.js';
import { reporters } from '../../../policies/reporters/index.js';
import { esc, renderHtmlReport } from '../../../policies/reporters/html.js';
import { loadBuffer } from '../../../policies/load/index.js';
import { CORPUS, readScenario } from './helpers.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

const NOW = new Date('2026-11-29T12:00:00Z');

function checkOf(files: readonly string[]): { result: CheckResult; documents: ReturnType<typeof loadBuffer>['documents'] } {
  const loads = files.map((f) => loadBuffer(readFileSync(f), f));
  const documents = loads.flatMap((l) => l.documents);
  const inputs = loads.flatMap((l) => l.inputs ?? []);
  return { result: runCheck({ documents, inputs, now: NOW }), documents };
}

describe('the HTML reporter', () => {
  const files = [join(CORPUS, '25-openg2p-defaults/input.yaml'), join(CORPUS, '_specs/openg2p-social-registry-dev.yaml')];

  it('is registered for ward check --format html and renders without the objects', () => {
    const { result } = checkOf(files);
    const html = reporters.html!(result, { color: false, toolVersion: '9.9.9' });
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<span class="verdict fail">FAIL</span>');
    expect(html).toContain('run <code>ward flows PATHS --format html</code> on the same inputs');
    expect(html).toContain('<section aria-labelledby="rule-WARD-FLOW-001">');
    expect(html).toContain('<dt>ward version</dt><dd>9.9.9</dd>');
    expect(html).toContain(esc(files[1]!));
    expect(html).toMatch(/<code>[0-9a-f]{64}<\/code>/);
  });

  it('shows the flow matrix, with undeclared ports in words, and mTLS per port when given the facts', () => {
    const { result, documents } = checkOf(files);
    const facts = reportFacts(withPlaceholders(buildIndex({ documents })));
    const html = renderHtmlReport({ check: result, ...facts, evidence: { toolVersion: '0.1.0', profile: 'strict', time: NOW.toISOString(), inputs: [] } });
    expect(html).toContain('<table id="flow-matrix"><caption>Flow matrix: components (rows, sources) × components (columns, destinations), with ports</caption>');
    expect(html).toContain('⚠ allowed but undeclared: all except TCP 8088');
    expect(html).toContain('✔ intended and allowed: TCP 8088');
    expect(html).toContain('<th scope="row">(outside the cluster)</th>');
    expect(html).toContain('<td>dev/openg2p-postgresql[StatefulSet]</td><td>no</td><td>5432</td><td><strong>PERMISSIVE (not enforced: no sidecar)</strong></td><td>Istio default (no PeerAuthentication)</td>');
    expect(html).toContain('<dt>Time</dt><dd>2026-11-29T12:00:00.000Z</dd>');
  });

  it('opens with the open findings per rule, worst first, and the flows summary with undeclared flows and their cause', () => {
    const { result, documents } = checkOf(files);
    const facts = reportFacts(withPlaceholders(buildIndex({ documents })));
    const html = renderHtmlReport({ check: result, ...facts, evidence: { toolVersion: '0.1.0', profile: 'strict', inputs: [] } });
    const summary = html.slice(html.indexOf('<h2 id="summary">'), html.indexOf('<h2 id="flows">'));
    expect(summary).toContain('<table id="rule-counts"><caption>Open findings by rule (worst first)</caption>');
    const severities = [...summary.slice(summary.indexOf('id="rule-counts"')).matchAll(/<tr><td><span class="sev sev-(\w+)">/g)].map((m) => m[1]);
    expect(severities[0]).toBe('critical');
    expect(severities.lastIndexOf('critical')).toBeLessThan(severities.indexOf('high'));
    expect(summary).toContain('<a href="#rule-WARD-FLOW-001">WARD-FLOW-001</a>');
    expect(summary).toMatch(/<table id="flow-summary"><caption>Who reaches what: \d+ of \d+ workloads hold personal data or are exposed<\/caption>/);
    expect(summary).toContain('<td>dev/openg2p-postgresql[StatefulSet]</td><td>TCP 5432</td><td>yes</td>');
    expect(summary).toContain('<table id="undeclared-flows"><caption>Undeclared flows (allowed, not declared)</caption>');
    expect(summary).toContain('allowed by NetworkPolicy dev/openg2p-postgresql ingress rule #1');
  });

  it('shows a workload × workload matrix when there is no spec', () => {
    const file = join(CORPUS, '26-mesh-allow-by-principal/input.yaml');
    const documents = loadBuffer(readFileSync(file), file).documents;
    const html = renderHtmlReport({ check: runCheck({ documents, now: NOW }), ...reportFacts(withPlaceholders(buildIndex({ documents }))), evidence: { toolVersion: '0.1.0', profile: 'strict', inputs: [] } });
    expect(html).toContain('<caption>Flow matrix: workloads (rows, sources) × workloads (columns, destinations), with the ports allowed</caption>');
    expect(html).toContain('<tr><th scope="row">reg/registry[Deployment]</th><td class="cell-allowed"><span class="tag">SCTP 1-65535,TCP 5432,UDP 1-65535</span></td>');
    expect(html).toContain('<th scope="row">(outside the cluster)</th><td class="cell-allowed"><span class="tag">0.0.0.0-255.255.255.255: SCTP 1-65535,UDP 1-65535</span></td>');
  });

  it('escapes everything it prints', () => {
    const yaml = readScenario('01-no-policies', 'input.yaml').replace('name: web, namespace: shop', 'name: web, namespace: shop, annotations: {x: "<script>alert(1)</script>"}');
    const load = loadBuffer(new TextEncoder().encode(yaml), 'a<b>.yaml');
    const result = runCheck({ documents: load.documents, now: NOW });
    const html = renderHtmlReport({ check: result, evidence: { toolVersion: '"><script>', profile: 'strict', inputs: [{ file: 'a<b>.yaml', sha256: '0'.repeat(64) }] } });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
    expect(html).toContain('a&lt;b&gt;.yaml');
  });
});
