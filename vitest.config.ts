import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest queues files project by project (e2e, reliability, security, unit), longest first only within a project,
 * so the unit project's 20–30 s files (pack-install, new-provider) started last and ran alone at the end. Files that
 * took at least LONG_FILE_MS last time go first, longest first, across projects (two cores: the longest files set
 * the wall time); the rest keep vitest's order, so the unit project's files still share their workers' module graph.
 */
const LONG_FILE_MS = 4_000;
class LongestFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const lastDuration = (spec: TestSpecification) =>
      this.ctx.cache.getTestSpecificationResult(spec)?.duration ?? 0;
    const long = sorted.filter((spec) => lastDuration(spec) >= LONG_FILE_MS);
    long.sort((a, b) => lastDuration(b) - lastDuration(a));
    return [...long, ...sorted.filter((spec) => lastDuration(spec) < LONG_FILE_MS)];
  }
}

// Workspace packages resolve to their TypeScript sources in tests (the "@reconnect-kit/source" export condition),
// so no build is needed before `pnpm test`.
const sourceCondition = '@reconnect-kit/source';

export default defineConfig({
  resolve: { conditions: [sourceCondition, 'module', 'node', 'import', 'default'] },
  // No 'import' here: vitest passes these to Node as --conditions, and 'import' would make CommonJS
  // packages (pg) require the ESM build of their dual dependencies (pg-pool).
  ssr: { resolve: { conditions: [sourceCondition, 'node', 'default'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // One module graph per worker instead of one per file: re-importing core, express, zod and the mocks
          // for each of ~90 files was most of the project's CPU time (about 40% less CPU, every test unchanged).
          // tests/security (hostile callers over HTTP; `pnpm test:security`) runs here too: a project of its own, with
          // the same settings, started four more workers that imported the same graph again.
          isolate: false,
          include: [
            '{packages,mocks,examples}/*/src/**/*.test.ts',
            'tests/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['tests/reliability/**', 'tests/e2e/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'reliability',
          include: ['tests/reliability/**/*.test.ts'],
          testTimeout: 120_000,
          // As in unit: one module graph per worker (core, pg, the adapters and mocks were imported again for each
          // of the nine files: about a tenth of the project's time). Every file builds its hosts in child
          // containers and child processes, so no state crosses files.
          isolate: false,
        },
      },
      // Scale runs only: the webhook storm at its acceptance size. `pnpm test` leaves this project out (the
      // `reliability` project storms 5,000 deliveries there); `pnpm test:reliability` and CI run it.
      {
        extends: true,
        test: {
          name: 'scale',
          include: ['tests/reliability/webhook-storm.test.ts'],
          env: { RELIABILITY_STORM_DELIVERIES: '100000' },
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          // No `fileParallelism: false`: vitest runs such a project alone, after every other project, on one
          // worker (about 35 s of one idle core at the end of `pnpm test`). Each file launches its own Chromium
          // and host app on port 0, so they run alongside the rest.
        },
      },
    ],
    // Vitest's default is one worker fewer than the cores: on a 2-core machine, one file at a time. Most of the
    // longest files wait more than they compute (fleet-sweep on its rate budget and leases, vendor-budget on its
    // windows, e2e on Chromium), so a worker more than the cores keeps both cores busy beside them. A number, not a
    // percentage: vitest caps a percentage at the core count.
    maxWorkers: Math.ceil(availableParallelism() * 1.5),
    sequence: { sequencer: LongestFilesFirst },
    // Transformed modules persist in node_modules/.vitest-cache, so a rerun skips the transforms (vitest 5 documents
    // this as on by default; its resolved config still says off unless it is set).
    fsModuleCache: true,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
