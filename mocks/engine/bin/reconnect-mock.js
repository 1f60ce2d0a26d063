#!/usr/bin/env node
// The `reconnect-mock` bin. Published, it runs the built CLI (dist/). In a clone of the repository (src/ present) it
// runs the TypeScript sources directly, so `npx reconnect-mock` works right after `pnpm install`, before any build:
// Node's type stripping, the workspace's "@reconnect-kit/source" export condition (the vendor mocks load from their
// sources too), and `.js` specifiers of relative imports mapped to the `.ts` files next to them.
import { existsSync } from 'node:fs';
import { registerHooks, stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';

const source = new URL('../src/cli.ts', import.meta.url);
const built = new URL('../dist/cli.js', import.meta.url);
const SOURCE_CONDITION = '@reconnect-kit/source';

if (existsSync(fileURLToPath(source)) && typeof stripTypeScriptTypes === 'function') {
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
      const code = quietly(() =>
        stripTypeScriptTypes(String(loaded.source), { mode: 'transform', sourceUrl: url }),
      );
      return { format: 'module', source: code, shortCircuit: true };
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
