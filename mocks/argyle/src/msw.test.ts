import { createMockInstance } from '@reconnect-kit/mock-engine';
import { setupServer } from 'msw/node';
import { afterAll, expect, test } from 'vitest';
import { BASIC_AUTH, checkApiResponse, FIRST_SYNC_EVENTS } from './argyle.test-helpers.js';
import { argyleHandlers, argyleMock } from './index.js';

const instance = createMockInstance(argyleMock, { env: {} });
const server = setupServer(...argyleHandlers(instance));
server.listen({ onUnhandledFrame: 'error' });
afterAll(() => {
  server.close();
  instance.close();
});

const SANDBOX = 'https://api-sandbox.argyle.com';

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const url = new URL(path, SANDBOX);
  const response = await fetch(url, {
    method,
    headers: { authorization: BASIC_AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: checkApiResponse(method, url, response.status, response.headers, text),
  };
}

test('msw handlers serve the same mock in-process at the sandbox URL, sharing the instance state', async () => {
  const seeded = await fetch(`${SANDBOX}/__admin/scenarios/argyle.seed_connected`, { method: 'POST' });
  const { changed } = (await seeded.json()) as { changed: { account_id: string; user_id: string } };
  expect(instance.ctx.state.accounts.has(changed.account_id)).toBe(true);

  const account = await call('GET', `/v2/accounts/${changed.account_id}`);
  expect(account.body).toMatchObject({ id: changed.account_id, connection: { status: 'connected' } });

  const page = await call('GET', `/v2/accounts?user=${changed.user_id}&limit=1`);
  expect(page.body).toMatchObject({ next: null, previous: null });

  await fetch(`${SANDBOX}/__admin/scenarios/argyle.auth_required`, {
    method: 'POST',
    body: JSON.stringify({ target: changed.account_id }),
  });
  const broken = await call('GET', `/v2/accounts/${changed.account_id}`);
  expect(broken.body).toMatchObject({ connection: { status: 'error', error_code: 'auth_required' } });

  const unauthorized = await fetch(`${SANDBOX}/v2/accounts`);
  expect(unauthorized.status).toBe(401);
  // No webhook target in-process: deliveries are logged as no_target rather than sent.
  const log = instance.webhooks.deliveries();
  expect(log.map((delivery) => delivery.status)).toEqual(log.map(() => 'no_target'));
  expect(log.map((delivery) => delivery.event_type)).toEqual([
    'accounts.added',
    'accounts.connected',
    'accounts.updated',
    ...FIRST_SYNC_EVENTS,
    'accounts.updated',
  ]);
});
