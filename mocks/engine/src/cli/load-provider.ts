import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MockProviderDefinition } from '../types.js';
import { CliError } from './cli-error.js';

export type AnyMockProviderDefinition = MockProviderDefinition<unknown>;

/**
 * `--definition`: a file (path, relative to the working directory) or an installed package name such as
 * `@reconnect-kit/mock-argyle`; returns its `mockDefinition` (or default) export, checked for shape.
 */
export async function loadDefinitionModule(reference: string): Promise<AnyMockProviderDefinition> {
  const absolute = resolve(reference);
  if (existsSync(absolute)) return definitionFrom(await import(pathToFileURL(absolute).href), absolute);
  if (PACKAGE_NAME.test(reference)) return loadDefinitionPackage(reference);
  throw new CliError(`--definition: ${reference} is neither a file (no ${absolute}) nor a package name`, 2);
}

/** npm package names, scoped or not (a path such as `./x.js` or `defs/x.ts` never matches). */
const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/;

/**
 * Loads `@reconnect-kit/mock-<provider>` at runtime (the engine cannot depend on the vendor mocks: they depend on
 * it).
 */
export function loadProviderPackage(provider: string): Promise<AnyMockProviderDefinition> {
  return loadDefinitionPackage(`@reconnect-kit/mock-${provider}`, provider);
}

/**
 * Tries normal resolution first, then `node_modules` (and, for `provider`, the monorepo's `mocks/<provider>`)
 * walking up from the working directory and from this module.
 */
async function loadDefinitionPackage(name: string, provider?: string): Promise<AnyMockProviderDefinition> {
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
  const missing = `package ${name} is not installed (searched from ${process.cwd()}).`;
  throw new CliError(
    provider
      ? `cannot load the "${provider}" mock: ${missing} Install it next to @reconnect-kit/mock-engine, or pass --definition <module>.`
      : `--definition: ${missing} Install it, or pass the path of a file.`,
  );
}

function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ERR_MODULE_NOT_FOUND' && error instanceof Error && error.message.includes(`'${name}'`);
}

function findPackageDir(start: string, name: string, provider: string | undefined): string | undefined {
  let dir = start;
  for (;;) {
    const candidates = [join(dir, 'node_modules', name)];
    if (provider) candidates.push(join(dir, 'mocks', provider));
    for (const candidate of candidates) {
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
