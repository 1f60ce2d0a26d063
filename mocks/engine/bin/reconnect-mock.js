#!/usr/bin/env node
// The `reconnect-mock` bin. Published, it runs the built CLI (dist/). In a clone of the repository (src/ present) it
// runs the TypeScript sources directly, so `npx reconnect-mock` works right after `pnpm install`, before any build:
// Node's type stripping, the workspace's "@reconnect-kit/source" export condition (the vendor mocks load from their
// sources too), and `.js` specifiers of relative imports mapped to the `.ts` files next to them. The transformed
// sources and V8's compiled code are kept in the package's node_modules/.cache, keyed by content: a start from the
// sources then costs about 0.3 s of CPU instead of 0.95 s (the TypeScript transform was most of it).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { enableCompileCache, registerHooks, stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli.ts', import.meta.url);
const built = new URL('../dist/cli.js', import.meta.url);
const SOURCE_CONDITION = '@reconnect-kit/source';

if (existsSync(fileURLToPath(source)) && typeof stripTypeScriptTypes === 'function') {
  const cache = fileURLToPath(new URL('../node_modules/.cache/reconnect-mock/', import.meta.url));
  enableCompileCache?.(`${cache}v8`);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const withSource = { ...context, conditions: [...context.conditions, SOURCE_CONDITION] };
      try {
        return nextResolve(specifier, withSource);
      } catch (error) {
        if (specifier.startsWith('.') && specifier.endsWith('.js')) {
          return nextResolve(`${specifier.slice(0, -3)}.ts`, withSource);
        }
        throw error;
      }
    },
    // Transform, not only strip: the sources use parameter properties, which strip-only mode refuses.
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      if (loaded.format !== 'module-typescript') return loaded;
      return { format: 'module', source: transformed(String(loaded.source), url, cache), shortCircuit: true };
    },
  });
  await import(source.href);
} else if (existsSync(fileURLToPath(built))) {
  await import(built.href);
} else {
  process.stderr.write(
    `reconnect-mock: ${fileURLToPath(built)} is missing and Node ${process.version} cannot run the TypeScript ` +
      'sources: run it with Node 22.18 or newer (in the repository, `npx reconnect-mock` uses the pinned Node 24) ' +
      'or build first (`npx -y pnpm@10 build`).\n',
  );
  process.exitCode = 1;
}

/** `code` with its types removed, from the cache when this Node already transformed the same text at `url`. */
function transformed(code, url, cache) {
  const key = createHash('sha256').update(`${process.version}\0${url}\0${code}`).digest('hex');
  const file = `${cache}ts/${key}.js`;
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const output = quietly(() => stripTypeScriptTypes(code, { mode: 'transform', sourceUrl: url }));
  try {
    // Written aside and renamed into place, so a concurrent start never reads half a file.
    mkdirSync(`${cache}ts`, { recursive: true });
    writeFileSync(`${file}.${process.pid}`, output);
    renameSync(`${file}.${process.pid}`, file);
  } catch {
    // A read-only checkout: every start transforms again.
  }
  return output;
}

/** Runs `transform` without Node's one-time "stripTypeScriptTypes is an experimental feature" warning. */
function quietly(transform) {
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    if (!String(warning).includes('stripTypeScriptTypes')) emitWarning.call(process, warning, ...rest);
  };
  try {
    return transform();
  } finally {
    process.emitWarning = emitWarning;
  }
}
