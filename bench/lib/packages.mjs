/**
 * Loads the BUILT workspace packages (their `dist/`) and the third-party modules they use. The bench is not a
 * workspace package, so `express` and `pg` are resolved from the package that depends on them: the baseline then
 * runs the very same copy of express as `@reconnect-kit/express`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const PACKAGE_DIRS = {
  core: 'packages/core',
  argyle: 'packages/argyle',
  express: 'packages/express',
  'store-postgres': 'packages/store-postgres',
  'mock-engine': 'mocks/engine',
  'mock-argyle': 'mocks/argyle',
  'mock-finch': 'mocks/finch',
};

/** Absolute path of a file inside a workspace package, e.g. `packagePath('mock-engine', 'dist/cli.js')`. */
export function packagePath(name, file) {
  return `${ROOT}${PACKAGE_DIRS[name]}/${file}`;
}

/** `import()` of a workspace package's built entry point; fails with a hint when it was not built. */
export async function importBuilt(name, file = 'dist/index.js') {
  const entry = packagePath(name, file);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`pnpm build\` first (pnpm bench does).`);
  return import(pathToFileURL(entry).href);
}

/** `import()` of a dependency as seen from the workspace package that declares it. */
export async function importDependencyOf(name, dependency) {
  const require = createRequire(packagePath(name, 'package.json'));
  const module = await import(pathToFileURL(require.resolve(dependency)).href);
  return module.default ?? module;
}
