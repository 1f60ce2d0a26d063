import type { ConformanceRun } from '../run.js';

/** One conformance rule: a name that states it, and a body that throws a ConformanceViolation when it breaks. */
export interface ConformanceRule {
  /** `rule: …` — the test title and the prefix of every failure message. */
  readonly name: string;
  /** Why the rule does not apply (the provider does not declare a capability); the rule is skipped. */
  readonly skip?: string | undefined;
  run(): Promise<void>;
}

/** Builds a rule against a started run; `needs` names a missing capability, or undefined when it applies. */
export interface RuleSpec {
  readonly name: string;
  needs(run: ConformanceRun): string | undefined;
  body(run: ConformanceRun, name: string): Promise<void>;
}

export const declares =
  (...capabilities: (keyof ConformanceRun['capabilities'])[]) =>
  (run: ConformanceRun): string | undefined => {
    const missing = capabilities.filter((capability) => !run.capabilities[capability]);
    return missing.length === 0 ? undefined : `provider does not declare capability ${missing.join(', ')}`;
  };

export const declaresReconnect = (run: ConformanceRun): string | undefined =>
  run.capabilities.oneClickReconnect || run.capabilities.redirectReconnect
    ? undefined
    : 'provider declares neither oneClickReconnect nor redirectReconnect';
