import { InvalidArgumentError, type Command } from 'commander';
import { stringify } from 'yaml';
import type { WireguardSpec } from '../../charts-src/model/index.js';
import { generateKeyPair, generatePresharedKey, isWireguardKey, publicKeyFromPrivate, wireguardKeyProblem } from '../../charts-src/wireguard/keys.js';
import { planPeer } from '../../charts-src/wireguard/peer.js';
import { GATEWAY_INTERFACE, PRESHARED_KEY_DIR, renderFirewall, renderPresharedKeyMap, renderServerConfig } from '../../charts-src/wireguard/render.js';
import { UsageError } from '../exit-codes.js';
import { readTextInput } from '../input.js';
import { readSpecFile } from '../spec-input.js';
import { writePrivateFile } from '../write.js';

const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const err = (text: string): void => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

/** What the operator reports in `status.wireguard` of a RegistryDeployment (kubectl get rd -o yaml). */
interface GatewayStatus {
  readonly publicKey?: string;
  readonly endpoint?: string;
}

function statusOf(doc: unknown): GatewayStatus {
  const status = (doc as { status?: { wireguard?: Record<string, unknown> } } | null)?.status?.wireguard ?? {};
  const pick = (k: string): string | undefined => (typeof status[k] === 'string' ? status[k] : undefined);
  return { publicKey: pick('publicKey'), endpoint: pick('endpoint') };
}

/** The spec's wireguard section (and the operator's status, when the file is a live RegistryDeployment), or a usage error naming the file. */
async function loadWireguard(file: string): Promise<{ wg: WireguardSpec; status: GatewayStatus }> {
  const { source, document, spec } = await readSpecFile(file);
  if (spec.wireguard === undefined) throw new UsageError(`${source} has no wireguard section: add spec.wireguard (see docs/wireguard.md)`);
  return { wg: spec.wireguard, status: statusOf(document) };
}

/** Reads a private key (file or stdin); the message on a bad key never contains the key. */
async function readPrivateKey(file: string, what: string): Promise<string> {
  const key = (await readTextInput(file, what)).replace(/\r?\n$/, '');
  const problem = wireguardKeyProblem(key);
  if (problem !== undefined) throw new UsageError(`${what} ${file === '-' ? 'on stdin' : file} ${problem}`);
  return key;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter((v) => v !== '')];
}

function keyOption(value: string): string {
  if (!isWireguardKey(value)) throw new InvalidArgumentError(wireguardKeyProblem(value) ?? 'malformed key');
  return value;
}

interface PeerOptions {
  file: string;
  name: string;
  endpoint?: string;
  publicKey?: string;
  serverPublicKey?: string;
  allowedIps?: string[];
  presharedKeyFile?: string;
  output?: string;
  json?: boolean;
}

async function runPeer(o: PeerOptions): Promise<void> {
  const { wg, status } = await loadWireguard(o.file);
  const endpoint = o.endpoint ?? status.endpoint;
  if (endpoint === undefined) throw new UsageError('--endpoint HOST:PORT is required (the gateway\'s public UDP endpoint; the operator reports it in status.wireguard.endpoint)');
  const serverPublicKey = o.serverPublicKey ?? (wg.publicKey === undefined ? status.publicKey : undefined);
  const presharedKey = o.presharedKeyFile === undefined ? undefined : await readPrivateKey(o.presharedKeyFile, 'preshared key file');
  const result = planPeer(wg, { name: o.name, endpoint, publicKey: o.publicKey, serverPublicKey, allowedIps: o.allowedIps, presharedKey });
  if (!result.ok) throw new UsageError(`cannot create peer "${o.name}":\n${result.problems.map((p) => `  ${p}`).join('\n')}`);
  const { plan } = result;
  const entry = stringify([plan.peer], { lineWidth: 0 });
  if (o.output !== undefined) {
    await writePrivateFile(o.output, plan.clientConfig, 'client configuration');
  }
  if (o.json) {
    out(JSON.stringify({ peer: plan.peer, ...(o.output === undefined ? { clientConfig: plan.clientConfig } : { clientConfigFile: o.output }) }, null, 2));
    return;
  }
  if (o.output === undefined) out(plan.clientConfig);
  const where = o.output === undefined ? 'the client configuration above (keep it private: it holds the private key)' : `the client configuration in ${o.output} (mode 0600)`;
  const ref = plan.peer.presharedKeySecretRef;
  const pskHint = ref === undefined ? '' : `# and create the Secret ${ref.name} (key ${ref.key}) in namespace ${wg.namespace} from the same preshared key file:\n#   kubectl -n ${wg.namespace} create secret generic ${ref.name} --from-file=${ref.key}=<file>\n`;
  const hint = `# ${where}\n# add this entry to spec.wireguard.peers:\n${entry}${pskHint}`;
  if (o.output === undefined) err(hint);
  else out(hint);
}

interface RenderOptions {
  file: string;
  privateKeyFile?: string;
  firewall?: boolean;
  presharedKeys?: boolean;
  presharedKeyDir: string;
  interface: string;
}

async function runRender(o: RenderOptions): Promise<void> {
  if (o.firewall && o.presharedKeys) throw new UsageError('give at most one of --firewall and --preshared-keys');
  const { wg } = await loadWireguard(o.file);
  if (o.firewall) return out(renderFirewall(wg, o.interface));
  if (o.presharedKeys) return void process.stdout.write(renderPresharedKeyMap(wg, o.presharedKeyDir));
  const key = o.privateKeyFile === undefined ? undefined : await readPrivateKey(o.privateKeyFile, 'private key file');
  out(renderServerConfig(wg, key));
}

const HELP = `
Keys are X25519 in the formats of wg genkey / wg pubkey (44 characters of base64). Administrators
generate their key pair on their own machine (ward wg peer); only public keys go into the spec.

Examples:
  ward wg keygen > server.key && ward wg pubkey < server.key
  ward wg genpsk > alice.psk && ward wg peer -f spec.yaml --name alice --endpoint vpn.example.org:51820 --preshared-key-file alice.psk -o alice.conf
  ward wg peer -f spec.yaml --name alice-laptop --endpoint vpn.example.org:51820 -o alice.conf
  kubectl get rd registry -o yaml | ward wg peer -f - --name bob -o bob.conf   (key and endpoint from status)
  ward wg render -f spec.yaml --private-key-file server.key | wg setconf wg0 /dev/stdin
  ward wg render -f spec.yaml --firewall | nft -f -

Exit codes: 0 ok; 2 usage error, invalid spec or malformed key. Guide: docs/wireguard.md.`;

/** `ward wg keygen|genpsk|pubkey|peer|render`: keys, peer configs and the gateway's rendered configuration. */
export function registerWg(program: Command): void {
  const wg = program.command('wg').description('WireGuard admin gateway: keys, peer client configs, rendered gateway configuration.').addHelpText('after', HELP);

  wg.command('keygen')
    .description('Print a new private key (like wg genkey); --json prints the key pair.')
    .option('--json', 'print {"privateKey", "publicKey"} as JSON')
    .action((o: { json?: boolean }) => {
      const pair = generateKeyPair();
      out(o.json ? JSON.stringify(pair, null, 2) : pair.privateKey);
    });

  wg.command('genpsk')
    .description('Print a new preshared key (like wg genpsk): 32 random bytes, base64.')
    .action(() => out(generatePresharedKey()));

  wg.command('pubkey')
    .description('Read a private key on stdin and print its public key (like wg pubkey).')
    .option('--json', 'print {"publicKey"} as JSON')
    .action(async (o: { json?: boolean }) => {
      const publicKey = publicKeyFromPrivate(await readPrivateKey('-', 'private key'));
      out(o.json ? JSON.stringify({ publicKey }, null, 2) : publicKey);
    });

  wg.command('peer')
    .description('Create an administrator: key pair (locally), next free /32, split-tunnel wg-quick config, and the spec entry to add.')
    .requiredOption('-f, --file <file>', 'spec file: a RegistryDeployment or a bare spec; "-" for stdin')
    .requiredOption('--name <name>', 'peer name (DNS-1123 label), e.g. alice-laptop')
    .option('--endpoint <host:port>', "the gateway's public UDP endpoint, e.g. vpn.example.org:51820 (default: status.wireguard.endpoint of a RegistryDeployment)")
    .option('--public-key <key>', 'use an existing key pair: its public key (the config then has no PrivateKey)', keyOption)
    .option('--server-public-key <key>', 'the gateway public key (default: spec.wireguard.publicKey, else status.wireguard.publicKey)', keyOption)
    .option('--allowed-ips <cidrs>', 'split-tunnel AllowedIPs (default: spec.wireguard.adminGateway.address); repeatable, comma-separated', collect)
    .option('--preshared-key-file <file>', 'add this preshared key (ward wg genpsk) to the client config; the spec entry references Secret <name>-psk')
    .option('-o, --output <file>', 'write the client config to FILE, created with mode 0600; a symbolic link is refused (stdout then gets the spec entry)')
    .option('--json', 'print {"peer", "clientConfig"|"clientConfigFile"} as JSON')
    .action(async (o: PeerOptions) => runPeer(o));

  wg.command('render')
    .description("Print the gateway's wg setconf configuration, or with --firewall its nftables ruleset.")
    .requiredOption('-f, --file <file>', 'spec file: a RegistryDeployment or a bare spec; "-" for stdin')
    .option('--private-key-file <file>', 'include the PrivateKey from FILE (the gateway otherwise sets it from its mounted Secret)')
    .option('--firewall', 'print the nftables ruleset (nft -f) instead')
    .option('--preshared-keys', 'print the preshared-key map ("<public key> <file>" lines) instead')
    .option('--preshared-key-dir <dir>', 'where the gateway finds <peer>/presharedkey (with --preshared-keys)', PRESHARED_KEY_DIR)
    .option('--interface <name>', 'WireGuard interface name the firewall matches', GATEWAY_INTERFACE)
    .action(async (o: RenderOptions) => runRender(o));
}
