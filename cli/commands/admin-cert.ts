import { InvalidArgumentError, type Command } from 'commander';
import { certificateRequest, initCa, requestCertificate, revokeAdmin, secretPatch, signRequest } from '../admin-cert/ca.js';

const out = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const err = (text: string): void => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 3650) throw new InvalidArgumentError('must be a whole number of days between 1 and 3650');
  return n;
}

const HELP = `
Administrators' client certificates for the admin gateway (spec.adminAccess.clientCertificates;
the gateway runs TLS MUTUAL and checks ca.crt and ca.crl). The private key of an administrator is
made on their machine (request) and never leaves it: only the CSR travels to the CA. The CA is an
OpenSSL CA directory on the platform team's offline machine (init, sign, revoke); its key is 0600.

Examples:
  ward admin-cert init --ca-dir ca/ --name "sr admin CA"          # once, offline
  ward admin-cert request --name alice -o alice                    # on alice's machine: alice.key (0600), alice.csr
  ward admin-cert sign --ca-dir ca/ alice.csr -o alice.crt         # on the CA; alice gets alice.crt back
  ward admin-cert sign --cert-manager-issuer admin-ca alice.csr | kubectl apply -f -   # or let cert-manager sign
  ward admin-cert revoke --ca-dir ca/ alice > patch.yaml           # laptop lost: CRL rewritten, Secret update printed
  kubectl -n istio-system patch secret ward-admin-clients --type merge --patch-file patch.yaml

Exit codes: 0 ok; 1 openssl failed; 2 usage error (bad name, missing file, no such CA or certificate).
Needs openssl on PATH. Guide: docs/edge.md.`;

/** `ward admin-cert init|request|sign|revoke`. */
export function registerAdminCert(program: Command): void {
  const cmd = program.command('admin-cert').description("Administrators' client certificates for the admin gateway: CSR on the admin's machine, signing and revocation (CRL) on the CA.").addHelpText('after', HELP);

  cmd.command('init')
    .description('Create the CA directory: key (0600), self-signed CA certificate, openssl ca database, first CRL.')
    .requiredOption('--ca-dir <dir>', 'the CA directory (created 0700)')
    .option('--name <cn>', "the CA certificate's common name", 'ward admin CA')
    .option('--days <n>', 'validity of the CA certificate in days', days, 730)
    .option('--crl-days <n>', 'days until the CRL must be rewritten (nextUpdate)', days, 30)
    .action(async (o: { caDir: string; name: string; days: number; crlDays: number }) => {
      const r = await initCa(o);
      out(`CA certificate ${r.cert}\nCRL ${r.crl}\n# put both in the admin gateway's credential Secret as ca.crt and ca.crl (docs/edge.md)`);
    });

  cmd.command('request')
    .description("On the administrator's machine: a new key pair (the key written 0600, never printed) and a CSR to send to the CA.")
    .requiredOption('--name <name>', 'administrator (or device) name: the certificate CN, e.g. alice')
    .requiredOption('-o, --output <prefix>', 'write <prefix>.key (mode 0600) and <prefix>.csr')
    .action(async (o: { name: string; output: string }) => {
      const r = await requestCertificate(o.name, o.output);
      out(`private key ${r.key} (mode 0600: keep it on this machine)\nCSR ${r.csr} (send this to the platform team)`);
    });

  cmd.command('sign')
    .description('On the CA: sign a CSR as a client certificate; or with --cert-manager-issuer print the CertificateRequest instead.')
    .argument('<csr>', 'the CSR file from ward admin-cert request')
    .option('--ca-dir <dir>', 'the CA directory (ward admin-cert init)')
    .option('--days <n>', 'validity in days', days, 90)
    .option('-o, --output <file>', 'where to write the certificate (default: <ca-dir>/<name>.crt)')
    .option('--cert-manager-issuer <name>', 'print a cert-manager CertificateRequest for this issuer instead of signing')
    .option('--issuer-kind <kind>', 'Issuer or ClusterIssuer (with --cert-manager-issuer)', 'ClusterIssuer')
    .option('--namespace <ns>', 'namespace of the CertificateRequest (with --cert-manager-issuer)', 'istio-system')
    .action(async (csr: string, o: { caDir?: string; days: number; output?: string; certManagerIssuer?: string; issuerKind: string; namespace: string }) => {
      if (o.certManagerIssuer !== undefined) return out(await certificateRequest(csr, o.certManagerIssuer, o.issuerKind, o.namespace, o.days));
      if (o.caDir === undefined) throw new InvalidArgumentError('give --ca-dir DIR (the offline CA) or --cert-manager-issuer NAME');
      const r = await signRequest(o.caDir, csr, o.days, o.output);
      out(`certificate ${r.cert} for ${r.name} (${String(o.days)} days): send it back to ${r.name}`);
    });

  cmd.command('revoke')
    .description("On the CA: revoke every valid certificate of an administrator, rewrite the CRL and print the gateway Secret's update.")
    .argument('<name>', 'the administrator (the certificate CN)')
    .requiredOption('--ca-dir <dir>', 'the CA directory')
    .option('--secret <name>', "the admin gateway's credential Secret", 'ward-admin-clients')
    .option('--namespace <ns>', "the admin gateway's namespace", 'istio-system')
    .action(async (name: string, o: { caDir: string; secret: string; namespace: string }) => {
      const r = await revokeAdmin(o.caDir, name);
      err(`revoked ${name}: serial ${r.serials.join(', ')}; CRL ${r.crl}`);
      out(await secretPatch(o.caDir, o.secret, o.namespace));
    });
}
