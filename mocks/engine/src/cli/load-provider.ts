import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MockProviderDefinition } from '../types.js';
import { CliError } from './cli-error.js';

export type AnyMockProviderDefinition = MockProviderDefinition<unknown>;

/** Imports a module and returns its `mockDefinition` (or default) export, checked for shape. */
export async function loadDefinitionModule(modulePath: string): Promise<AnyMockProviderDefinition> {
  const absolute = resolve(modulePath);
  if (!existsSync(absolute)) throw new CliError(`--definition: no such file ${absolute}`, 2);
  return definitionFrom(await import(pathToFileURL(absolute).href), absolute);
}

/**
 * Loads `@reconnect-kit/mock-<provider>` at runtime (the engine cannot depend on the vendor mocks: they depend on
 * it). Tries normal resolution first, then `node_modules` and the monorepo's `mocks/<provider>` walking up from the
 * working directory and from this module.
 */
export async function loadProviderPackage(provider: string): Promise<AnyMockProviderDefinition> {
  const name = `@reconnect-kit/mock-${provider}`;
  try {
    return definitionFrom(await import(name), name);
  } catch (error) {
    if (!isMissing(error, name)) throw error;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  for (const start of [process.cwd(), here]) {
    const packageDir = findPackageDir(start, name, provider);
    if (packageDir) return definitionFrom(await import(entryFileOf(packageDir, name)), name);
  }
  throw new CliError(
    `cannot load the "${provider}" mock: package ${name} is not installed (searched from ${process.cwd()}). ` +
      `Install it next to @reconnect-kit/mock-engine, or pass --definition <module>.`,
  );
}

function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ERR_MODULE_NOT_FOUND' && error instanceof Error && error.message.includes(`'${name}'`);
}

function findPackageDir(start: string, name: string, provider: string): string | undefined {
  let dir = start;
  for (;;) {
    for (const candidate of [join(dir, 'node_modules', name), join(dir, 'mocks', provider)]) {
      if (packageNameAt(candidate) === name) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function packageNameAt(dir: string): string | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name;
}

/** The ESM entry from the package's `exports["."]` (`import`, then `default`). */
function entryFileOf(packageDir: string, name: string): string {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
    main?: string;
  };
  const root = manifest.exports?.['.'];
  const target =
    typeof root === 'string'
      ? root
      : ((root as Record<string, unknown> | undefined)?.import ??
        (root as Record<string, unknown> | undefined)?.default ??
        manifest.main);
  if (typeof target !== 'string') throw new CliError(`${name} has no ESM entry point in its package.json`);
  const file = join(packageDir, target);
  if (!existsSync(file))
    throw new CliError(`${name} is not built (${file} is missing): run \`pnpm build\` first`);
  return pathToFileURL(file).href;
}

function definitionFrom(module: Record<string, unknown>, source: string): AnyMockProviderDefinition {
  const candidate = module.mockDefinition ?? module.default;
  const looksRight =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof (candidate as { id?: unknown }).id === 'string' &&
    Array.isArray((candidate as { routes?: unknown }).routes) &&
    typeof (candidate as { createState?: unknown }).createState === 'function';
  if (!looksRight)
    throw new CliError(`${source} does not export a mock provider definition as \`mockDefinition\``);
  return candidate as AnyMockProviderDefinition;
}
