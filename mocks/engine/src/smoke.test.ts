import { afterAll, expect, test } from 'vitest';
import { startMockServer } from './server.js';
import { testProvider } from './testing/test-provider.js';

const server = await startMockServer(testProvider, { port: 0, catalogue: null, env: {} });
afterAll(() => server.close());

test('smoke', async () => {
  const res = await fetch(`${server.url}/v1/accounts/acc_1`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ id: 'acc_1', status: 'connected' });
  const health = await fetch(`${server.url}/__admin/health`);
  expect((await health.json()).status).toBe('ok');
});
