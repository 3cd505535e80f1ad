import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { loadBuffer, loadPaths, parseText, REDACTED } from '../../../policies/load/index.js'

const HELM = `---
# Source: chart/templates/svc.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}]
---
# Source: chart/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1
`

describe('parseText', () => {
  it('keeps file, document index, line, column and the Helm template of every object', () => {
    const r = parseText(HELM, 'render.yaml')
    expect(r.errors).toEqual([])
    expect(r.documents.map((d) => [d.object.kind, d.docIndex, d.line, d.column, d.helmSource])).toEqual([
      ['Service', 0, 3, 1, 'chart/templates/svc.yaml'],
      ['Deployment', 1, 11, 1, 'chart/templates/deploy.yaml'],
    ])
    expect(r.documents[1]!.locate(['spec', 'template', 'spec', 'containers', 0, 'image'])).toEqual({ file: 'render.yaml', line: 20, column: 11, helmSource: 'chart/templates/deploy.yaml' })
  })

  it('expands List objects, each item with its own line', () => {
    const r = parseText('apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: b}\n', 'list.yaml')
    expect(r.documents.map((d) => [d.object.metadata.name, d.line])).toEqual([['a', 4], ['b', 7]])
  })

  it('resolves scalars as Kubernetes does (YAML 1.1 through sigs.k8s.io/yaml): 0755 is octal, on/yes are booleans, dates and 1:20 stay strings, 0800 is the float 800 (go-yaml v2 resolve.go yamlStyleFloat)', () => {
    const r = parseText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  mode: 0755\n  flag: on\n  agree: yes\n  day: 2020-01-01\n  time: 1:20\n  plain: 0800\n', 'modes.yaml')
    const data = r.documents[0]!.object.data as Record<string, unknown>
    expect(data).toEqual({ mode: 493, flag: true, agree: true, day: '2020-01-01', time: '1:20', plain: 800 })
  })

  it('reads a bare RegistryDeployment spec (ward synth -f input) as a RegistryDeployment', () => {
    const r = parseText('namespace: dev\ncomponents:\n  - {name: db, selector: {app: db}, serviceAccount: db, personalData: true}\n', 'spec.yaml')
    expect(r.errors).toEqual([])
    expect(r.documents[0]!.object).toMatchObject({ apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'spec:spec.yaml', namespace: 'dev' } })
  })

  it('reads JSON', () => {
    const r = parseText('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}', 'x.json')
    expect(r.documents[0]!.object.metadata.name).toBe('j')
  })

  it('reports malformed YAML with file:line and keeps the other documents', () => {
    const r = parseText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: [unclosed\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok2}\n', 'bad.yaml')
    expect(r.documents.map((d) => d.object.metadata.name)).toEqual(['ok', 'ok2'])
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatchObject({ code: 'yaml-syntax', file: 'bad.yaml', line: 6 })
    expect(r.errors[0]!.message).toMatch(/^bad\.yaml:6:\d+: YAML syntax error/)
  })

  it('warns about and skips documents that are not Kubernetes objects; a kind without apiVersion is an error', () => {
    const r = parseText('just: a map\n---\n- a list\n---\nkind: Pod\nmetadata: {name: p}\n', 'x.yaml')
    expect(r.warnings.map((w) => [w.code, w.line, w.message])).toEqual([
      ['not-kubernetes', 1, 'x.yaml:1: document 0 has no apiVersion or kind, not a Kubernetes object; skipped'],
      ['not-kubernetes', 3, 'x.yaml:3: document 1 is a list, not a Kubernetes object; skipped'],
    ])
    expect(r.errors.map((e) => [e.code, e.line])).toEqual([['not-an-object', 5]])
    expect(r.documents).toEqual([])
  })

  it('bounds alias expansion (a billion-laughs document is an error, not a hang)', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for (let i = 1; i < 10; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`)
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`
    const r = parseText(bomb, 'bomb.yaml')
    expect(r.documents).toEqual([])
    expect(r.errors[0]).toMatchObject({ code: 'alias-limit', file: 'bomb.yaml', line: 6 }); // the first alias (b's list, line 6)
  })

  it('redacts Secret values in the loader and keeps keys and weakness facts', () => {
    const r = parseText('apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: YWRtaW4=\nstringData:\n  token: "Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6"\n', 's.yaml')
    const d = r.documents[0]!
    expect(d.object.data).toEqual({ password: REDACTED })
    expect(d.object.stringData).toEqual({ token: REDACTED })
    expect(d.secretFacts).toEqual({ keys: ['password', 'token'], weak: [{ key: 'password', reason: 'known-default' }] })
    expect(JSON.stringify(d.object)).not.toContain('YWRtaW4=')
    expect(JSON.stringify(d.object)).not.toContain('Zt4Wq9')
  })
})

describe('loadBuffer / loadPaths', () => {
  it('refuses binary input', () => {
    const r = loadBuffer(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]), 'a.out')
    expect(r.errors).toEqual([{ code: 'binary', file: 'a.out', line: 1, column: 1, message: 'a.out:1: binary content (NUL bytes); expected YAML or JSON text' }])
  })

  it('refuses a 50 MB input without parsing it', () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 'a')
    const started = process.hrtime.bigint()
    const r = loadBuffer(big, 'big.yaml')
    expect(r.errors[0]).toMatchObject({ code: 'too-large', file: 'big.yaml', line: 1 })
    expect(r.errors[0]!.message).toContain('50.0 MiB, over the bound of 32.0 MiB')
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(20); // bounded: no parse happened
  })

  it('walks directories recursively (.yaml, .yml, .json only, sorted) and reads stdin for "-"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-load-'))
    mkdirSync(join(dir, 'sub'))
    writeFileSync(join(dir, 'b.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n')
    writeFileSync(join(dir, 'sub', 'a.json'), '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}')
    writeFileSync(join(dir, 'notes.txt'), 'not yaml: [')
    const stdin = Readable.from([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n')])
    const r = await loadPaths([dir, '-', join(dir, 'missing.yaml')], { stdin })
    expect(r.documents.map((d) => [d.object.metadata.name, d.file.replace(dir, 'D')])).toEqual([['b', 'D/b.yml'], ['a', 'D/sub/a.json'], ['s', '<stdin>']])
    expect(r.errors.map((e) => [e.code, e.file.replace(dir, 'D')])).toEqual([['read-failed', 'D/missing.yaml']])
  })
})
