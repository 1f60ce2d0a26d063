import { describe, expect, test } from 'vitest';
import { createMockInstance } from './instance.js';
import { type TestState, testProvider } from './testing/test-provider.js';
import type { MockContext } from './types.js';

/** A provider whose accounts expire when the mock clock passes a deadline (time-driven vendor state). */
function expiringProvider(options: { failing?: boolean } = {}) {
  const deadline = Date.parse('2030-01-01T00:00:00Z');
  const calls: string[] = [];
  const definition = {
    ...testProvider,
    catchUp(ctx: MockContext<TestState>) {
      calls.push(ctx.clock.now().toISOString());
      if (options.failing) throw new Error('catch-up broke');
      if (ctx.clock.now().getTime() < deadline) return;
      for (const account of ctx.state.accounts.values()) account.status = 'expired';
    },
  };
  return { definition, calls };
}

async function call(
  instance: ReturnType<typeof createMockInstance<TestState>>,
  path: string,
  init?: RequestInit,
) {
  return instance.handle(new Request(`http://mock.test${path}`, init));
}

describe('catchUp', () => {
  test('runs before vendor requests and after admin requests, so a clock change shows without another call', async () => {
    const { definition, calls } = expiringProvider();
    const instance = createMockInstance(definition, { env: {}, catalogue: null });
    const before = await call(instance, '/v1/accounts/acc_1');
    expect(await before.json()).toMatchObject({ status: 'connected' });
    await call(instance, '/__admin/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ set: '2030-01-01T00:00:00Z' }),
    });
    // The admin call itself caught up: the state changed before any vendor request.
    expect(instance.ctx.state.accounts.get('acc_1')?.status).toBe('expired');
    expect(calls).toHaveLength(2);
    instance.close();
  });

  test('a failing catch-up is logged and the request is still answered', async () => {
    const { definition } = expiringProvider({ failing: true });
    const lines: string[] = [];
    const instance = createMockInstance(definition, {
      env: {},
      catalogue: null,
      log: (line) => lines.push(line),
    });
    const response = await call(instance, '/v1/accounts/acc_1');
    expect(response.status).toBe(200);
    expect(lines.some((line) => line.startsWith('catch-up failed: Error: catch-up broke'))).toBe(true);
    instance.close();
  });
});
