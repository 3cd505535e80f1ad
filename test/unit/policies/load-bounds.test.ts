import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, loadBuffer, loadPaths, parseText, type LoadLimits } from '../../../policies/load/index.js';

const CM = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`;
const PRIVILEGED = 'apiVersion: v1\nkind: Pod\nmetadata: {name: root}\nspec:\n  containers:\n    - name: c\n      image: busybox:1\n      securityContext: {privileged: true}\n';
const limits = (l: Partial<LoadLimits>): LoadLimits => ({ ...DEFAULT_LIMITS, ...l });
const tmp = (): string => mkdtempSync(join(tmpdir(), 'ward-bounds-'));
const codes = (r: { errors: readonly { code: string }[] }): string[] => r.errors.map((e) => e.code);

describe('bounded input: bytes are counted as they are read', () => {
  it('reads a FIFO (written by another party while ward reads it)', async () => {
    const fifo = join(tmp(), 'objects.yaml');
    execFileSync('mkfifo', [fifo]);
    const [r] = await Promise.all([loadPaths([fifo]), writeFile(fifo, CM('from-fifo'))]);
    expect(r.errors).toEqual([]);
    expect(r.documents.map((d) => d.object.metadata.name)).toEqual(['from-fifo']);
  });

  it('stops reading a FIFO that passes the file bound, with an input error', async () => {
    const fifo = join(tmp(), 'endless.yaml');
    execFileSync('mkfifo', [fifo]);
    const writer = writeFile(fifo, CM('x').repeat(4000)).catch(() => undefined); // EPIPE once ward stops reading
    const r = await loadPaths([fifo], { limits: limits({ maxFileBytes: 4096 }) });
    await writer;
    expect(r.errors).toEqual([{ code: 'too-large', file: fifo, line: 1, column: 1, message: `${fifo}:1: more than 0.0 MiB read, over the bound (--max-file-size); split it into smaller inputs or raise the bound` }]);
  });

  it('refuses a device without reading it (/dev/zero)', async () => {
    const r = await loadPaths(['/dev/zero']);
    expect(r.errors).toEqual([{ code: 'not-a-file', file: '/dev/zero', line: 1, column: 1, message: '/dev/zero:1: is a device, not a file or a pipe; give a YAML or JSON file' }]);
  });

  it('bounds an endless stdin (like `yes |`) by the file bound', async () => {
    const endless = Readable.from((function* () { for (;;) yield Buffer.from('y\n'.repeat(512)); })());
    const r = await loadPaths(['-'], { stdin: endless, limits: limits({ maxFileBytes: 64 * 1024 }) });
    expect(codes(r)).toEqual(['too-large']);
    expect(r.errors[0]!.file).toBe('<stdin>');
  });

  it('bounds the inputs together (--max-total-size): the file that passes it is refused, the ones before are read', async () => {
    const dir = tmp();
    for (const n of ['a', 'b', 'c']) writeFileSync(join(dir, `${n}.yaml`), CM(n) + `# ${'x'.repeat(900)}\n`);
    const r = await loadPaths([dir], { limits: limits({ maxTotalBytes: 2048 }) });
    expect(r.documents.map((d) => d.object.metadata.name)).toEqual(['a', 'b']);
    expect(r.errors.map((e) => [e.code, e.file.replace(dir, 'D')])).toEqual([['too-large', 'D/c.yaml']]);
    expect(r.errors[0]!.message).toContain('over the total bound of 0.0 MiB (--max-total-size)');
  });

  it('refuses a stream of more documents than the bound (7M `---` lines, at a smaller scale) and stops reading it', () => {
    const r = parseText('---\n'.repeat(5000), 'dashes.yaml', limits({ maxDocuments: 1000 }));
    expect(r.errors).toEqual([{ code: 'too-many-documents', file: 'dashes.yaml', line: 1001, column: 1, message: 'dashes.yaml:1001:1: more than 1000 YAML documents in the inputs (--max-documents); the rest is not read' }]);
    expect(r.warnings).toEqual([]);
  });

  it('counts List items against the document bound', () => {
    const list = `apiVersion: v1\nkind: List\nitems:\n${Array.from({ length: 20 }, (_, i) => `  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c${String(i)}}}`).join('\n')}\n`;
    expect(codes(parseText(list, 'l.yaml', limits({ maxDocuments: 10 })))).toEqual(['too-many-documents']);
  });

  it('reads 130,000 objects of one file (no argument-count or stack limit on the way)', async () => {
    const file = join(tmp(), 'many.yaml');
    writeFileSync(file, Array.from({ length: 130_000 }, (_, i) => `{apiVersion: v1, kind: ConfigMap, metadata: {name: c${String(i)}}}`).join('\n---\n'));
    const r = await loadPaths([file]);
    expect(r.errors).toEqual([]);
    expect(r.documents).toHaveLength(130_000);
    expect(r.documents[129_999]!.line).toBe(259_999);
  });
});

describe('directories: symlinks are followed once', () => {
  it('follows a symlinked file: a directory holding only a link to a privileged pod is not clean', async () => {
    const root = tmp();
    mkdirSync(join(root, 'dir'));
    writeFileSync(join(root, 'pod.yaml'), PRIVILEGED);
    symlinkSync(join(root, 'pod.yaml'), join(root, 'dir', 'link.yaml'));
    const r = await loadPaths([join(root, 'dir')]);
    expect(r.documents.map((d) => [d.object.kind, d.file.replace(root, 'R')])).toEqual([['Pod', 'R/dir/link.yaml']]);
  });

  it('enters a symlinked directory once and says so of a loop; a broken link is a warning', async () => {
    const root = tmp();
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'cm.yaml'), CM('only-once'));
    symlinkSync(root, join(root, 'sub', 'loop'));
    symlinkSync(join(root, 'gone.yaml'), join(root, 'broken.yaml'));
    const r = await loadPaths([root]);
    expect(r.documents.map((d) => d.object.metadata.name)).toEqual(['only-once']);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => w.message.replace(new RegExp(root, 'g'), 'R'))).toEqual([
      'R/broken.yaml: a broken symlink; skipped',
      'R/sub/loop: a directory already read (R: a symlink loop?); skipped',
    ]);
  });
});

describe('what is not a Kubernetes object', () => {
  it('skips empty and comment-only documents silently (as kubectl does)', () => {
    const r = parseText(`---\n${CM('a')}---\n# only a comment\n---\n---\n${CM('b')}---\n`, 'x.yaml');
    expect(r).toMatchObject({ errors: [], warnings: [] });
    expect(r.documents.map((d) => [d.object.metadata.name, d.line])).toEqual([['a', 2], ['b', 9]]);
  });

  it('reads typed lists (PodList, NamespaceList as the API server returns them) by their list kind', () => {
    const r = parseText('{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"p1","namespace":"dev"},"spec":{"containers":[]}}]}\n---\napiVersion: v1\nkind: NamespaceList\nitems:\n  - metadata: {name: dev}\n', 'lists.yaml');
    expect(r.errors).toEqual([]);
    expect(r.documents.map((d) => [d.object.apiVersion, d.object.kind, d.object.metadata.name, d.line])).toEqual([['v1', 'Pod', 'p1', 1], ['v1', 'Namespace', 'dev', 6]]);
  });

  it('warns about a non-Kubernetes JSON file in a directory and loads the rest', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'package.json'), '{"name": "app", "version": "1.0.0"}');
    writeFileSync(join(dir, 'cm.yaml'), CM('kept'));
    const r = await loadPaths([dir]);
    expect(r.errors).toEqual([]);
    expect(r.documents.map((d) => d.object.metadata.name)).toEqual(['kept']);
    expect(r.warnings.map((w) => w.message.replace(dir, 'D'))).toEqual(['D/package.json:1: document 0 has no apiVersion or kind, not a Kubernetes object; skipped']);
  });

  it('reads UTF-16 text with a byte-order mark (not "binary")', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CM('wide'), 'utf16le')]);
    const r = loadBuffer(utf16, 'wide.yaml');
    expect(r.errors).toEqual([]);
    expect(r.documents[0]!.object.metadata.name).toBe('wide');
  });

  it('never quotes the input in a YAML error (the file may be a Secret)', () => {
    const r = parseText('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  token: !CanaryTok3n-9f8e7d value\n  other: "bad \\q CanaryTok3n-9f8e7d"\n', 's.yaml');
    expect(r.errors.length).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain('CanaryTok3n');
    expect(r.errors.map((e) => e.message)).toEqual(['s.yaml:6:15: YAML syntax error: invalid escape sequence in a double-quoted string']);
  });
});
