import { defineConfig } from 'vitest/config';

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
          include: [
            '{packages,mocks,examples}/*/src/**/*.test.ts',
            'tests/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['tests/reliability/**', 'tests/e2e/**', 'tests/security/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: { name: 'reliability', include: ['tests/reliability/**/*.test.ts'], testTimeout: 120_000 },
      },
      {
        extends: true,
        // Hostile callers through the real routers and mocks over HTTP (issue 12); `pnpm test:security`.
        test: { name: 'security', include: ['tests/security/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
