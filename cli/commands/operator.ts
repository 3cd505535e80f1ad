import { KubeConfig } from '@kubernetes/client-node';
import { InvalidArgumentError, type Command } from 'commander';
import { createLogger } from '../../operator/log.js';
import { runOperator } from '../../operator/run.js';
import { parseAddr } from '../../operator/server.js';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { join } from 'node:path';
import { ExitCode, UsageError } from '../exit-codes.js';
import { fileErrorReason } from '../write.js';

interface OperatorCliOptions {
  kubeconfig?: string;
  context?: string;
  namespace: string[];
  metricsAddr: string;
  healthAddr: string;
  leaderElect?: boolean;
  leaderElectionNamespace: string;
  resyncPeriod: number;
  logLevel: string;
  probe: boolean;
  metricsAuth: boolean;
  metricsCertDir?: string;
  gracePeriod: number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number of seconds.`);
  return n;
}

function addr(value: string): string {
  try {
    parseAddr(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

function loadKubeConfig(opts: OperatorCliOptions): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new UsageError(`cannot load kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${(err as Error).message}`);
  }
  if (opts.context) kc.setCurrentContext(opts.context);
  if (!kc.getCurrentCluster()) throw new UsageError('no cluster: pass --kubeconfig, set KUBECONFIG, or run in a pod with a service account');
  return kc;
}

/** The certificate and key of `--metrics-cert-dir` (their content is never printed). */
async function readMetricsTls(dir: string): Promise<{ cert: string; key: string }> {
  const read = async (name: string): Promise<string> => {
    try {
      return await readFile(join(dir, name), 'utf8');
    } catch (err) {
      throw new UsageError(`--metrics-cert-dir ${dir}: cannot read ${name}: ${fileErrorReason(err)}`);
    }
  };
  const pair = { cert: await read('tls.crt'), key: await read('tls.key') };
  try {
    createSecureContext(pair);
  } catch (err) {
    // OpenSSL's reason only (e.g. "key values mismatch"), never the PEM.
    throw new UsageError(`--metrics-cert-dir ${dir}: tls.crt and tls.key are not a usable certificate and key: ${(err as Error).message}`);
  }
  return pair;
}

/** `ward operator`: runs the RegistryDeployment controller until SIGTERM/SIGINT. */
export function registerOperator(program: Command): void {
  program
    .command('operator')
    .description('Run the operator: reconcile RegistryDeployments (apply, prune, check Secrets and the key manager, report conditions).')
    .option('--kubeconfig <file>', 'kubeconfig file (default: in-cluster service account, $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--namespace <ns>', 'watch RegistryDeployments only in this namespace (repeatable or comma-separated; default: all)', collect, [])
    .option('--metrics-addr <addr>', 'Prometheus /metrics listen address', addr, ':8080')
    .option('--metrics-cert-dir <dir>', 'serve /metrics over HTTPS with DIR/tls.crt and DIR/tls.key (a kubernetes.io/tls Secret, e.g. from cert-manager, mounted there)')
    .option('--no-metrics-auth', 'serve /metrics to anyone who reaches the port (default: only to bearer tokens the API server authenticates and authorises for get /metrics)')
    .option('--health-addr <addr>', '/healthz and /readyz listen address', addr, ':8081')
    .option('--leader-elect', 'elect a leader through a coordination.k8s.io Lease before reconciling (run several replicas)')
    .option('--leader-election-namespace <ns>', 'namespace of the leader Lease', 'ward-system')
    .option('--resync-period <seconds>', 're-check every RegistryDeployment this often (Secret ages, key-manager probes)', seconds, 300)
    .option('--grace-period <seconds>', 'on SIGTERM, wait at most this long for reconciles in flight', seconds, 20)
    .option('--no-probe', 'never probe the key manager over the network, even when a spec enables it')
    .option('--log-level <level>', 'pino log level (trace, debug, info, warn, error)', 'info')
    .addHelpText('after', `
Logs are JSON lines on stdout (secret values are never logged). /metrics answers a scrape only with
a bearer token that a TokenReview authenticates and a SubjectAccessReview allows to get /metrics
(bind the ClusterRole ward-operator-metrics-reader to Prometheus' ServiceAccount); else 401 or 403. Exit codes: 0 after SIGTERM/SIGINT,
1 when leadership was lost or the operator failed, 2 for a usage error.`)
    .action(async (opts: OperatorCliOptions) => {
      const kubeConfig = loadKubeConfig(opts);
      const log = createLogger({ level: opts.logLevel });
      const handle = await runOperator({
        kubeConfig, log,
        ...(opts.namespace.length > 0 ? { namespaces: opts.namespace } : {}),
        metricsAddr: opts.metricsAddr, healthAddr: opts.healthAddr, metricsAuth: opts.metricsAuth,
        ...(opts.metricsCertDir !== undefined ? { metricsTls: await readMetricsTls(opts.metricsCertDir), reloadMetricsTls: () => readMetricsTls(opts.metricsCertDir ?? '') } : {}),
        leaderElect: opts.leaderElect === true, leaderNamespace: opts.leaderElectionNamespace,
        resyncMs: opts.resyncPeriod * 1000, probe: opts.probe,
      });
      const onSignal = (signal: NodeJS.Signals): void => {
        log.info({ signal }, 'signal received');
        void handle.stop(opts.gracePeriod * 1000);
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      const result = await handle.done;
      await handle.stop(opts.gracePeriod * 1000);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.exitCode = result === 'lost' ? ExitCode.Findings : ExitCode.Ok;
    });
}
