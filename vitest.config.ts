import { defineConfig } from 'vitest/config';

// Three projects: `unit` (pure code, fast, golden files), `integration` (a real kube-apiserver + etcd
// brought up once per run by the global setup), `system` (root-only: WireGuard tunnels in network
// namespaces, the CLI end to end, headless Chromium). Prerequisites missing on a laptop skip loudly;
// with CI=true every such skip is a failure (see test/support/prereq.ts).
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'system',
          include: ['test/system/**/*.test.ts'],
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
