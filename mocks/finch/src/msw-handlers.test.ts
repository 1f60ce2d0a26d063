import { createMockInstance } from '@reconnect-kit/mock-engine';
import Finch from '@tryfinch/finch-api';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FINCH_DEFAULT_CREDENTIALS } from './credentials.js';
import { finchMock } from './definition.js';
import { finchHandlers } from './server.js';

const instance = createMockInstance(finchMock, { env: {} });
const server = setupServer(...finchHandlers(instance));

beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => {
  server.close();
  instance.close();
});

test('msw handlers serve the same pipeline in-process, on Finch’s real host (no baseURL change at all)', async () => {
  const app = new Finch({
    clientID: FINCH_DEFAULT_CREDENTIALS.client_id,
    clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
    maxRetries: 0,
  });
  const sandbox = await app.sandbox.connections.create({ provider_id: 'gusto' });
  const client = new Finch({ accessToken: sandbox.access_token, maxRetries: 0 });
  await client.sandbox.connections.accounts.update({ connection_status: 'reauth' });
  const error = await client.hris.company.retrieve().catch((e: unknown) => e);
  expect((error as InstanceType<typeof Finch.APIError>).error).toMatchObject({
    finch_code: 'reauthenticate_user',
  });

  const session = await app.connect.sessions.reauthenticate({ connection_id: sandbox.connection_id });
  expect(session.connect_url).toBe(`https://api.tryfinch.com/authorize?session=${session.session_id}`);
  expect(instance.ctx.state.connections.get(sandbox.connection_id)?.status).toBe('reauth');
});
