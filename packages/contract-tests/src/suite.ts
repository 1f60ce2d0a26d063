import { parseScenarioCatalogue } from './catalogue.js';
import type { ProviderConformanceOptions } from './options.js';
import { configRules } from './rules/config-rules.js';
import { lifecycleRules } from './rules/lifecycle-rules.js';
import type { ConformanceRule, RuleSpec } from './rules/rule.js';
import { scenarioRules } from './rules/scenario-rules.js';
import { secretRules } from './rules/secret-rules.js';
import { webhookRules } from './rules/webhook-rules.js';
import { ConformanceRun, probeCapabilities } from './run.js';
import { ConformanceViolation, underRule } from './violation.js';

export interface ConformanceSuite {
  readonly providerId: string;
  /** Every rule, in a stable order; rules the provider's capabilities do not cover carry `skip`. */
  readonly rules: readonly ConformanceRule[];
  /** Looks a rule up by its exact name (throws naming the known rules when there is none). */
  rule(name: string): ConformanceRule;
  /** Starts the mock (or attaches to the running one) and the webhook receiver. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The conformance suite as plain functions: build it, `start()`, call `rule.run()` for each rule (each one throws
 * a ConformanceViolation whose message starts with the rule's name), `stop()`. `describeProviderConformance`
 * wraps exactly this in vitest.
 */
export function createConformanceSuite<Config extends Record<string, unknown>>(
  options: ProviderConformanceOptions<Config>,
): ConformanceSuite {
  const untyped = options as unknown as ProviderConformanceOptions;
  const catalogue = parseScenarioCatalogue(options.catalogue, `the ${options.providerId} scenario catalogue`);
  const probed = probeCapabilities(untyped);
  const rules: ConformanceRule[] = [];
  if (probed instanceof Error) {
    const name = 'rule: the provider can be built from the valid config';
    rules.push({
      name,
      run: () =>
        Promise.reject(
          new ConformanceViolation(name, `${probed.name}: ${probed.message}`, { cause: probed }),
        ),
    });
  } else {
    const run = new ConformanceRun(untyped, catalogue, probed);
    const specs: RuleSpec[] = [
      ...scenarioRules(run),
      ...lifecycleRules(),
      ...webhookRules(),
      ...secretRules(),
      ...configRules(),
    ];
    for (const spec of specs) {
      rules.push({
        name: spec.name,
        skip: spec.needs(run),
        run: () => underRule(spec.name, () => spec.body(run, spec.name)),
      });
    }
    return suiteOf(options.providerId, rules, run);
  }
  return suiteOf(options.providerId, rules, undefined);
}

function suiteOf(
  providerId: string,
  rules: ConformanceRule[],
  run: ConformanceRun | undefined,
): ConformanceSuite {
  return {
    providerId,
    rules,
    rule(name) {
      const found = rules.find((rule) => rule.name === name);
      if (!found)
        throw new Error(`no conformance rule "${name}"; known: ${rules.map((r) => r.name).join(' | ')}`);
      return found;
    },
    start: async () => run?.start(),
    stop: async () => run?.stop(),
  };
}
