#!/usr/bin/env node
// `pnpm mock <provider> …`: builds the mock packages when their dist/ is missing or older than src/, then runs the
// `reconnect-mock` CLI. Build output goes to stderr so stdout stays the CLI's single JSON ready line (pnpm prints its
// own script banner first; use `pnpm --silent mock …` or the `reconnect-mock` bin where a program reads stdout).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The engine first (the vendor mocks build against its dist/), then every vendor mock in mocks/.
const packages = [
  'mocks/engine',
  ...readdirSync(join(root, 'mocks'))
    .filter((name) => name !== 'engine' && existsSync(join(root, 'mocks', name, 'tsconfig.build.json')))
    .sort()
    .map((name) => `mocks/${name}`),
];

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const stale = packages.filter((pkg) => {
  const dist = join(root, pkg, 'dist');
  return !existsSync(dist) || newestMtime(join(root, pkg, 'src')) > newestMtime(dist);
});
if (stale.length > 0) {
  process.stderr.write(`[mock] building ${stale.join(', ')}\n`);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const pkg of packages) {
    execFileSync(process.execPath, [tsc, '-p', join(root, pkg, 'tsconfig.build.json')], {
      stdio: ['ignore', 2, 2],
    });
  }
}
await import(pathToFileURL(join(root, 'mocks/engine/dist/cli.js')).href);
