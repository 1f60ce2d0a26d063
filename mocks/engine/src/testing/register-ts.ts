import { registerHooks } from 'node:module';

// Test-only: lets Node 24 run the engine's TypeScript sources directly (type stripping) by mapping the `.js`
// specifiers of relative imports to the `.ts` files next to them, so the CLI can be spawned without a build.
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (specifier.startsWith('.') && specifier.endsWith('.js')) {
        return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw error;
    }
  },
});
