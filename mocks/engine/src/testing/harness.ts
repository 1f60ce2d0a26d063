import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ScenarioCatalogue } from '../catalogue.js';
import { createMockInstance, type MockInstance, type MockInstanceOptions } from '../instance.js';
import { createMswHandlers } from '../msw.js';
import { type RunningMockServer, serveMockInstance } from '../server.js';
import { type TestState, testProvider } from './test-provider.js';

export type Transport = 'server' | 'msw';
export const TRANSPORTS: readonly Transport[] = ['server', 'msw'];

export const testCatalogue: ScenarioCatalogue = {
  provider: 'testprov',
  scenarios: [
    {
      id: 'account_disconnected',
      description: 'Catalogued: the account is disconnected.',
      input: { target: 'acc_1', reason: 'password_changed' },
      expected_state: 'needs_reauth',
    },
    { id: 'two_events', description: 'Catalogued: two events.' },
    { id: 'not_built_yet', description: 'Catalogued but not implemented.' },
  ],
};

export interface Harness {
  baseUrl: string;
  instance: MockInstance<TestState>;
  request(path: string, init?: RequestInit): Promise<Response>;
  admin(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
}

/**
 * Runs the test provider over real HTTP (`server`) or in-process through msw (`msw`), reset before each test,
 * so one test body checks that both behave the same.
 */
export function useHarness(transport: Transport, options: MockInstanceOptions = {}): Harness {
  const harness = {} as Harness;
  let running: RunningMockServer<TestState> | undefined;
  // Created only for the msw transport: msw intercepts sockets process-wide once set up.
  let msw: ReturnType<typeof setupServer> | undefined;
  beforeAll(async () => {
    const instance = createMockInstance(testProvider, { catalogue: testCatalogue, env: {}, ...options });
    harness.instance = instance;
    if (transport === 'server') {
      running = await serveMockInstance(instance, { port: 0 });
      harness.baseUrl = running.url;
    } else {
      harness.baseUrl = 'http://testprov.test';
      msw = setupServer(...createMswHandlers(instance, harness.baseUrl));
      msw.listen({ onUnhandledFrame: 'error' });
    }
  });
  afterAll(async () => {
    msw?.close();
    await running?.close();
    harness.instance.close();
  });
  beforeEach(() => harness.instance.reset());
  harness.request = (path, init) => fetch(`${harness.baseUrl}${path}`, init);
  harness.admin = async (method, path, body) => {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const response = await harness.request(`/__admin${path}`, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return harness;
}
