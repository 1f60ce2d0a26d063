/** A broken conformance rule. The message always starts with the rule's name, so a failure says which rule broke. */
export class ConformanceViolation extends Error {
  override readonly name = 'ConformanceViolation';
  constructor(
    readonly rule: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${rule}: ${detail}`, options);
  }
}

/** Throws a ConformanceViolation naming `rule` unless `condition` holds. */
export function check(condition: unknown, rule: string, detail: string | (() => string)): asserts condition {
  if (!condition) throw new ConformanceViolation(rule, typeof detail === 'string' ? detail : detail());
}

/**
 * Runs one rule body; anything it throws that is not already a violation (a TODO stub, a vendor error, a failed
 * hook) becomes a violation naming the rule, with the original message kept.
 */
export async function underRule(rule: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof ConformanceViolation) throw error;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new ConformanceViolation(rule, `unexpected error: ${message}`, { cause: error });
  }
}
