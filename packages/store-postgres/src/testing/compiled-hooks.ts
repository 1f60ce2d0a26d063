import { registerHooks } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Test-only (`node --import` of this file): runs the tree written by `compileTree()`. Workspace packages map to
// their compiled entry points; any other bare import of a compiled file resolves as if made from its source
// file, so the workspace's node_modules apply. Erasable TypeScript only: Node strips the types itself.

const outDir = process.env.RK_COMPILED_DIR ?? '';
const sourceDir = process.env.RK_SOURCE_DIR ?? '';
const entriesJson = process.env.RK_WORKSPACE_ENTRIES ?? '';
if (!outDir || !sourceDir || !entriesJson) {
  throw new Error('RK_COMPILED_DIR, RK_SOURCE_DIR and RK_WORKSPACE_ENTRIES must be set (see compile.ts).');
}
const entries = JSON.parse(entriesJson) as Record<string, string>;

const isBare = (specifier: string) => !/^(\.{0,2}\/|[a-z]+:)/.test(specifier);

registerHooks({
  resolve(specifier, context, nextResolve) {
    const entry = entries[specifier];
    if (entry) return { url: pathToFileURL(entry).href, shortCircuit: true };
    const parent = context.parentURL?.startsWith('file:') ? fileURLToPath(context.parentURL) : undefined;
    if (parent?.startsWith(`${outDir}${path.sep}`) && isBare(specifier)) {
      const source = path.join(sourceDir, path.relative(outDir, parent)).replace(/\.js$/, '.ts');
      return nextResolve(specifier, { ...context, parentURL: pathToFileURL(source).href });
    }
    return nextResolve(specifier, context);
  },
});
