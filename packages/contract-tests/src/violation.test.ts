import { describe, expect, it } from 'vitest';
import { ConformanceViolation, check, underRule } from './violation.js';

describe('rule failures', () => {
  it('check throws a violation whose message starts with the rule', () => {
    expect(() => check(false, 'rule: x', 'it broke')).toThrow(
      new ConformanceViolation('rule: x', 'it broke'),
    );
    expect(() => check(true, 'rule: x', 'never')).not.toThrow();
  });

  it('underRule turns any other error into a violation naming the rule, keeping the message and cause', async () => {
    const todo = new Error('TODO(acme): implement fetchStatus');
    const error = await underRule('rule: y', () => Promise.reject(todo)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConformanceViolation);
    expect((error as Error).message).toBe(
      'rule: y: unexpected error: Error: TODO(acme): implement fetchStatus',
    );
    expect((error as Error).cause).toBe(todo);
  });

  it('underRule passes violations through unchanged', async () => {
    const violation = new ConformanceViolation('rule: z', 'state was wrong');
    await expect(underRule('rule: z', () => Promise.reject(violation))).rejects.toBe(violation);
  });
});
