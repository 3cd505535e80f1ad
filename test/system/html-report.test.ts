import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HtmlValidate } from 'html-validate';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../policies/engine.js';
import { reportFacts, withPlaceholders } from '../../policies/flows/report.js';
import { buildIndex } from '../../policies/engine.js';
import { loadBuffer } from '../../policies/load/index.js';
import { renderHtmlReport } from '../../policies/reporters/html.js';
import { missingPrereq } from '../support/prereq.js';
import { CORPUS } from '../unit/flows/helpers.js';

/**
 * The auditor's HTML report, from the OpenG2P charts as shipped against the social registry spec:
 * structurally valid HTML (html-validate), then opened in real headless Chromium (Debian
 * `chromium`, installed by scripts/ci-flows.sh) with JavaScript off: no console errors, no network
 * request, the flow matrix and findings present. The screenshot is kept in test-results/.
 */
const CHROMIUM = '/usr/bin/chromium';
const RESULTS = join(import.meta.dirname, '../../test-results');

function buildReport(): string {
  const files = [join(CORPUS, '25-openg2p-defaults/input.yaml'), join(CORPUS, '_specs/openg2p-social-registry-dev.yaml')];
  const documents = files.flatMap((f) => loadBuffer(readFileSync(f), f).documents);
  const now = new Date('2026-11-29T12:00:00Z');
  const check = runCheck({ documents, now });
  const facts = reportFacts(withPlaceholders(buildIndex({ documents })));
  return renderHtmlReport({
    check,
    ...facts,
    evidence: { toolVersion: '0.1.0', profile: check.summary.profile, time: now.toISOString(), inputs: files.map((file) => ({ file, sha256: 'a'.repeat(64) })) },
  });
}

const html = buildReport();

/** Without a spec: the workload × workload matrix. */
function buildPlainReport(): string {
  const file = join(CORPUS, '26-mesh-allow-by-principal/input.yaml');
  const documents = loadBuffer(readFileSync(file), file).documents;
  const check = runCheck({ documents, now: new Date('2026-11-29T12:00:00Z') });
  return renderHtmlReport({ check, ...reportFacts(withPlaceholders(buildIndex({ documents }))), evidence: { toolVersion: '0.1.0', profile: 'strict', inputs: [] } });
}

describe('the HTML report is well-formed and accessible (html-validate)', () => {
  it.each([['with a spec (component matrix)', html], ['without a spec (workload matrix)', buildPlainReport()]])('validates %s against html-validate\'s recommended rules plus WCAG table rules', async (_name, page) => {
    const validator = new HtmlValidate({
      extends: ['html-validate:recommended'],
      rules: {
        // The report is one self-contained file: its stylesheet is inline by design.
        'no-inline-style': 'off',
        'wcag/h63': 'error',
        'no-dup-id': 'error',
        'element-required-content': 'error',
      },
    });
    const report = await validator.validateString(page);
    const messages = report.results.flatMap((r) => r.messages.map((m) => `${String(m.line)}:${String(m.column)} ${m.ruleId}: ${m.message}`));
    expect(messages).toEqual([]);
  });

  it('gives every table a caption and every header a scope', () => {
    const tables = html.match(/<table[\s>]/g) ?? [];
    expect(tables.length).toBeGreaterThanOrEqual(5);
    expect((html.match(/<caption>/g) ?? []).length).toBe(tables.length);
    expect(html.match(/<th(?=[\s>])(?![^>]*scope=)[^>]*>/g) ?? []).toEqual([]);
  });

  it('references nothing outside the file', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/(src|href)="(?!#)/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain('@media print');
  });
});

const skip = missingPrereq(`Debian chromium at ${CHROMIUM} (scripts/ci-flows.sh installs it)`, existsSync(CHROMIUM));

describe.skipIf(skip)('the HTML report in headless Chromium', () => {
  let context: BrowserContext;
  let profile: string;
  const file = join(RESULTS, 'flows-report.html');

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(file, html);
    profile = mkdtempSync(join(tmpdir(), 'ward-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      javaScriptEnabled: false,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  it('renders without console errors or network requests, with the flow matrix and findings', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    const url = pathToFileURL(file).href;
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
    await page.goto(url, { waitUntil: 'load' });

    expect(await page.title()).toBe('ward audit report');
    const matrix = page.locator('#flow-matrix');
    expect(await matrix.isVisible()).toBe(true);
    expect(await matrix.locator('tbody tr').count()).toBeGreaterThanOrEqual(13);
    expect(await matrix.locator('td.cell-undeclared').count()).toBeGreaterThan(0);
    expect(await matrix.textContent()).toContain('allowed but undeclared: TCP 5432');
    expect(await page.locator('#findings ~ section h3, #findings + section h3').count()).toBeGreaterThan(0);
    expect(await page.locator('section[aria-labelledby="rule-WARD-FLOW-001"]').isVisible()).toBe(true);
    expect(await page.locator('#mtls tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#inputs').textContent()).toContain('openg2p-social-registry-dev.yaml');

    await page.screenshot({ path: join(RESULTS, 'flows-report.png'), fullPage: false });
    await page.emulateMedia({ media: 'print' });
    expect(await matrix.isVisible()).toBe(true);
    await page.pdf({ path: join(RESULTS, 'flows-report.pdf') }).catch(() => undefined);

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
  });
});
