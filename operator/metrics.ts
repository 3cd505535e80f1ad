import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ConditionType } from './conditions.js';

/** Prometheus metrics with controller-runtime's names, so existing dashboards and alerts work. */

export const CONTROLLER = 'registrydeployment';

export interface OperatorMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly workqueueDepth: Gauge<'name'>;
  readonly workqueueAdds: Counter<'name'>;
  readonly workqueueRetries: Counter<'name'>;
  readonly restRequests: Counter<'code' | 'method' | 'host'>;
  readonly leaderStatus: Gauge<'name'>;
  /** Children re-applied after someone changed or deleted them out of band, by kind. */
  readonly driftRepairs: Counter<'kind'>;
  /** 1 when the condition is True, 0 when False or Unknown, per RegistryDeployment and condition type. */
  readonly conditions: Gauge<'namespace' | 'name' | 'type'>;
}

export function createMetrics(options: { readonly defaultMetrics?: boolean } = {}): OperatorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    reconcileTotal: new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers }),
    reconcileErrors: new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers }),
    reconcileTime: new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }),
    workqueueDepth: new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers }),
    workqueueAdds: new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers }),
    workqueueRetries: new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers }),
    restRequests: new Counter({ name: 'rest_client_requests_total', help: 'Number of HTTP requests, partitioned by status code, method, and host.', labelNames: ['code', 'method', 'host'], registers }),
    driftRepairs: new Counter({ name: 'ward_drift_repairs_total', help: 'Children ward re-applied after they were changed or deleted out of band, by kind', labelNames: ['kind'], registers }),
    conditions: new Gauge({ name: 'ward_registrydeployment_condition', help: 'Status conditions of each RegistryDeployment: 1 True, 0 False or Unknown', labelNames: ['namespace', 'name', 'type'], registers }),
    leaderStatus: new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.', labelNames: ['name'], registers }),
  };
}

/**
 * Drops the condition series of a RegistryDeployment that is gone (deleted, finalizer released), so
 * `/metrics` does not keep reporting it, and alerts on its conditions do not fire, until a restart.
 */
export function forgetRegistryDeployment(metrics: OperatorMetrics, namespace: string, name: string): void {
  for (const type of Object.values(ConditionType)) metrics.conditions.remove({ namespace, name, type });
}
