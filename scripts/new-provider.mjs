#!/usr/bin/env node
// Scaffolds a new provider from scripts/templates/provider/: the adapter package, the mock, fixtures, the docs page
// and a conformance test that runs (and fails with TODO messages) at once.
//   pnpm new-provider <id>      e.g. pnpm new-provider acme
// Only adds files (never edits tracked ones) and refuses to overwrite anything. The new packages' dependencies are
// linked the way `pnpm install` links them in their sibling packages, so they typecheck without an install; run
// `pnpm install` before committing so the lockfile lists them (CI installs with a frozen lockfile).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const templatesDir = join(root, 'scripts', 'templates', 'provider');
const ID_PATTERN = /^[a-z][a-z0-9-]*$/;
const USAGE =
  'usage: pnpm new-provider <id>   (id: lowercase letters, digits and dashes, starting with a letter)';

/** The names a template uses: acme-pay → { id: acme-pay, Id: AcmePay, camelId: acmePay, ID: ACME_PAY, Name }. */
export function namesFor(id) {
  const parts = id.split('-').filter(Boolean);
  const Id = parts.map((part) => part[0].toUpperCase() + part.slice(1)).join('');
  return {
    id,
    Id,
    camelId: Id[0].toLowerCase() + Id.slice(1),
    ID: parts.map((part) => part.toUpperCase()).join('_'),
    Name: parts.map((part) => part[0].toUpperCase() + part.slice(1)).join(' '),
  };
}

function fill(text, names) {
  return text.replace(/__(id|Id|camelId|ID|Name)__/g, (_, key) => names[key]);
}

function templateFiles(dir = templatesDir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? templateFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Map of repository-relative output path → content. */
export function renderProvider(id) {
  const names = namesFor(id);
  const outputs = new Map();
  for (const file of templateFiles()) {
    const target = fill(relative(templatesDir, file), names).replace(/\.tmpl$/, '');
    outputs.set(target, fill(readFileSync(file, 'utf8'), names));
  }
  // Every published package ships the repository's licence.
  const license = join(root, 'LICENSE');
  if (existsSync(license)) {
    for (const dir of [`packages/${id}`, `mocks/${id}`])
      outputs.set(`${dir}/LICENSE`, readFileSync(license, 'utf8'));
  }
  return outputs;
}

/** The top-level paths the scaffold creates (what to delete to undo it). */
export function createdRoots(id) {
  return [
    `packages/${id}`,
    `mocks/${id}`,
    `fixtures/schemas/${id}`,
    `fixtures/payloads/${id}`,
    `fixtures/scenarios/${id}.json`,
    `fixtures/vectors/${id}.json`,
    `docs/providers/${id}.md`,
    `tests/conformance/${id}.test.ts`,
    `.changeset/${id}-provider.md`,
  ];
}

/** Links `pkgDir/node_modules/<dep>` to what a sibling package's link resolves to (pnpm's layout, without an install). */
function linkDependencies(pkgDir) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const parent = dirname(pkgDir);
  const siblings = readdirSync(parent)
    .map((name) => join(parent, name))
    .filter((dir) => dir !== pkgDir);
  const missing = [];
  for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
    const source = siblings.map((dir) => join(dir, 'node_modules', dep)).find((path) => isSymlink(path));
    if (!source) {
      missing.push(dep);
      continue;
    }
    const link = join(pkgDir, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(source), link);
  }
  return missing;
}

/** Import order depends on the generated names, so the repository's formatter settles it (and the layout). */
function formatWithBiome(paths) {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome)) {
    console.log('biome not installed: run `pnpm format` after `pnpm install`');
    return;
  }
  const result = spawnSync(biome, ['check', '--write', ...paths], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0)
    console.log(`biome left problems in the scaffold:\n${result.stdout}${result.stderr}`);
}

function isSymlink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [id, ...extra] = positionals;
  if (!id || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  if (!ID_PATTERN.test(id)) {
    console.error(
      `invalid provider id "${id}": it must match ${ID_PATTERN} (e.g. acme or acme-pay)\n${USAGE}`,
    );
    return 2;
  }
  const taken = createdRoots(id).filter((path) => existsSync(join(root, path)));
  if (taken.length > 0) {
    console.error(`refusing to overwrite: ${taken.join(', ')} already exist(s); nothing was written`);
    return 1;
  }
  for (const [path, content] of renderProvider(id)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content, { flag: 'wx' });
  }
  const unlinked = [`packages/${id}`, `mocks/${id}`].flatMap((dir) => linkDependencies(join(root, dir)));
  formatWithBiome(createdRoots(id));
  for (const path of createdRoots(id)) console.log(`created ${path}`);
  if (unlinked.length > 0) console.log(`not linked (run pnpm install): ${[...new Set(unlinked)].join(', ')}`);
  console.log(`
Next (docs/adding-a-provider.md):
  pnpm exec vitest run tests/conformance/${id}.test.ts   # fails with TODO(${id}) messages until you are done
  pnpm exec node scripts/generate-scenarios-doc.mjs      # after editing fixtures/scenarios/${id}.json
  pnpm install                                           # before committing: the lockfile must list the new packages`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
