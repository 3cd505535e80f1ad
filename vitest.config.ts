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
          setupFiles: ['test/support/spec-parser-setup.ts'],
          globalSetup: ['test/support/build-cli.ts'],
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          setupFiles: ['test/support/spec-parser-setup.ts'],
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/build-cli.ts', 'test/integration/global-setup.ts'],
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          name: 'system',
          setupFiles: ['test/support/spec-parser-setup.ts'],
          globalSetup: ['test/support/build-cli.ts'],
          include: ['test/system/**/*.test.ts'],
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
