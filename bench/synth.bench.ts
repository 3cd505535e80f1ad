/**
 * Synthesis throughput: the OpenG2P presets and a generated 300-component / 1,000-flow stack.
 * Prints objects per second and the ratio of synthesis time to the time of serialising the same
 * objects to YAML (the baseline: how close synthesis is to the cost of just writing the output).
 */
import { parseRegistrySpec, type RegistrySpec, type RegistrySpecInput } from '../charts-src/model/index.js';
import { synthesize, toYaml } from '../charts-src/synthesize.js';
import { fmtMs, time } from './measure.js';

const COMPONENTS = 300;
const FLOWS = 1000;

function parsed(input: unknown): RegistrySpec {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(`bench spec is invalid: ${JSON.stringify(r.issues[0])}`);
  return r.spec;
}

/** A deterministic large stack: every component listens on two ports; flows fan out in rounds; every 25th flow leaves the cluster. */
export function generatedSpec(components = COMPONENTS, flows = FLOWS): RegistrySpecInput {
  const name = (i: number): string => `c${String(i).padStart(3, '0')}`;
  return {
    namespace: 'bench',
    release: 'bench',
    components: Array.from({ length: components }, (_, i) => ({
      name: name(i),
      selector: { app: name(i), tier: `t${i % 7}` },
      serviceAccount: name(i),
      ports: [{ name: 'http', port: 8000 + (i % 50) }, { name: 'tcp-admin', port: 9000 + (i % 50) }],
      personalData: i % 3 === 0,
      exposure: i % 20 === 0 ? { type: 'ingress' as const, hosts: [`${name(i)}.example.org`] } : { type: 'none' as const, hosts: [] },
    })),
    flows: Array.from({ length: flows }, (_, k) => {
      const from = k % components;
      const round = Math.floor(k / components);
      if (k % 25 === 24) return { from: name(from), to: { cidr: `203.0.113.${k % 256}/32` }, ports: [{ port: 443 }] };
      const to = (from + 1 + round * 13) % components;
      return { from: name(from), to: { component: name(to) }, ports: [{ port: 8000 + (to % 50) }, ...(k % 4 === 0 ? [{ port: 9000 + (to % 50) }] : [])] };
    }),
  };
}

function report(label: string, spec: RegistrySpec, runs: number): void {
  const objects = synthesize(spec);
  const synth = time(() => synthesize(spec), runs);
  const yaml = time(() => toYaml(objects), runs);
  const perSecond = Math.round(objects.length / (synth.medianMs / 1000));
  process.stdout.write(
    `${label.padEnd(44)} ${String(objects.length).padStart(5)} objects  synth ${fmtMs(synth.medianMs).padStart(9)}  ${String(perSecond).padStart(7)} objects/s  ` +
      `yaml ${fmtMs(yaml.medianMs).padStart(9)}  synth/yaml ${(synth.medianMs / yaml.medianMs).toFixed(2)}  (median of ${runs})\n`,
  );
}

export default function bench(): void {
  const runs = Number(process.env.BENCH_RUNS ?? 21);
  report('preset openg2p-social-registry', parsed({ preset: 'openg2p-social-registry', namespace: 'dev' }), runs * 3);
  report('preset openg2p-commons', parsed({ preset: 'openg2p-commons', namespace: 'dev' }), runs * 3);
  const input = generatedSpec();
  const parse = time(() => parsed(input), runs);
  const spec = parsed(input);
  process.stdout.write(`parse ${COMPONENTS} components / ${FLOWS} flows: ${fmtMs(parse.medianMs)} (median of ${runs})\n`);
  report(`generated ${COMPONENTS} components / ${FLOWS} flows`, spec, runs);
}
