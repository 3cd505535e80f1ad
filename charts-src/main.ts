/**
 * The cdk8s app entry (`cdk8s synth`, see cdk8s.yaml): synthesises the RegistryDeployment in
 * examples/openg2p-social-registry.yaml, or the file named by WARD_SPEC, into dist/.
 * I/O lives here; the chart itself is pure (synthesize.ts).
 */
import { App } from 'cdk8s';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { formatIssues, parseRegistrySpec, registryDeploymentOwner } from './model/index.js';
import { RegistryChart } from './synthesize.js';

const file = process.env.WARD_SPEC ?? 'examples/openg2p-social-registry.yaml';
const input = parse(readFileSync(file, 'utf8')) as unknown;
const result = parseRegistrySpec(input);
if (!result.ok) {
  process.stderr.write(`${file}: invalid RegistryDeployment\n${formatIssues(result.issues)}\n`);
  process.exit(2);
}
const app = new App();
const owner = registryDeploymentOwner(input);
new RegistryChart(app, 'ward', result.spec, owner ? { owner } : {});
app.synth();
