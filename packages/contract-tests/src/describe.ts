import { afterAll, beforeAll, describe, it } from 'vitest';
import type { ProviderConformanceOptions } from './options.js';
import { createConformanceSuite } from './suite.js';

/**
 * Registers the conformance suite for one provider with vitest: one `it` per rule, titled with the rule; a rule the
 * provider's declared capabilities do not cover is an `it.skip` whose title gives the reason. Runs against the live
 * mock over real HTTP, through `ReconnectionService`.
 */
export function describeProviderConformance<Config extends Record<string, unknown>>(
  options: ProviderConformanceOptions<Config>,
): void {
  const suite = createConformanceSuite(options);
  describe(`${options.providerId} provider conformance`, () => {
    beforeAll(() => suite.start());
    afterAll(() => suite.stop());
    for (const rule of suite.rules) {
      if (rule.skip) it.skip(`${rule.name} (skipped: ${rule.skip})`, () => {});
      else it(rule.name, () => rule.run());
    }
  });
}
