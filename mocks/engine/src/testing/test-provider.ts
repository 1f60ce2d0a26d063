import { createHmac } from 'node:crypto';
import { MockHttpError } from '../http/mock-http-error.js';
import { json } from '../http/responses.js';
import { defineMockProvider } from '../instance.js';
import type { MockProviderDefinition } from '../types.js';

/** A small provider used only by the engine's own tests (the engine must not depend on the vendor mocks). */
export interface TestState {
  accounts: Map<string, { id: string; status: string }>;
  createdAt: string;
}

const encoder = new TextEncoder();

export const testProvider: MockProviderDefinition<TestState> = defineMockProvider<TestState>({
  id: 'testprov',
  defaultCredentials: {
    client_id: 'test-client',
    client_secret: 'test-secret',
    webhook_secret: 'whsec_dGVzdA==',
  },
  credentialEnv: { client_id: 'TESTPROV_MOCK_CLIENT_ID', client_secret: 'TESTPROV_MOCK_CLIENT_SECRET' },
  createState: (ctx) => ({
    accounts: new Map([['acc_1', { id: 'acc_1', status: 'connected' }]]),
    createdAt: ctx.clock.now().toISOString(),
  }),
  errorBody: ({ status, code, message }) => ({ code: status, name: code, message }),
  routes: [
    {
      method: 'GET',
      path: '/v1/accounts',
      handler: (req, ctx) => {
        const status = req.query.get('status');
        const accounts = [...ctx.state.accounts.values()].filter(
          (account) => !status || account.status === status,
        );
        return json(200, { results: accounts, next: null });
      },
    },
    {
      method: 'GET',
      path: '/v1/accounts/:id',
      handler: (req, ctx) => {
        const account = ctx.state.accounts.get(req.params.id!);
        if (!account) throw new MockHttpError(404, { detail: `account ${req.params.id} not found` });
        return json(200, account);
      },
    },
    {
      method: 'POST',
      path: '/v1/accounts',
      handler: (req, ctx) => {
        const body = req.json<{ id?: string }>();
        const id = body.id ?? ctx.newId('acc');
        ctx.state.accounts.set(id, { id, status: 'connected' });
        return json(201, { id, status: 'connected' });
      },
    },
    {
      method: 'POST',
      path: '/v1/echo',
      handler: (req) => ({
        status: 200,
        headers: { 'content-type': req.headers.get('content-type') ?? 'application/octet-stream' },
        body: req.rawBody,
      }),
    },
    {
      method: 'POST',
      path: '/v1/form',
      handler: (req) => json(200, Object.fromEntries(req.form())),
    },
    {
      method: 'GET',
      path: '/v1/whoami',
      handler: (req, ctx) =>
        json(200, {
          base_url: req.baseUrl,
          url: req.url.href,
          authorized: req.headers.get('authorization') === `Bearer ${ctx.config.credentials.client_secret}`,
          now: ctx.clock.now().toISOString(),
        }),
    },
    {
      method: 'GET',
      path: '/v1/boom',
      handler: () => {
        throw new Error('handler exploded');
      },
    },
    {
      method: 'GET',
      path: '/v1/files/*',
      handler: (req) => json(200, { file: req.params['*'] }),
    },
  ],
  scenarios: [
    {
      id: 'account_disconnected',
      description: 'The account loses its connection and a webhook is sent.',
      run: (input, ctx) => {
        const account = input.target ? ctx.state.accounts.get(input.target) : undefined;
        if (!account) {
          throw new MockHttpError(404, {
            error: 'target_not_found',
            message: `no account "${input.target}"`,
          });
        }
        account.status = 'disconnected';
        const webhook = ctx.webhooks.enqueue({
          eventType: 'account.disconnected',
          body: { event: 'account.disconnected', account_id: account.id, reason: input.reason ?? null },
        });
        return { changed: { account }, webhooks: [webhook] };
      },
    },
    {
      id: 'two_events',
      description: 'Queues two webhooks at once (for ordering tests).',
      run: (_input, ctx) => {
        const first = ctx.webhooks.enqueue({ eventType: 'first', body: { n: 1 } });
        const second = ctx.webhooks.enqueue({ eventType: 'second', body: { n: 2 } });
        return { changed: null, webhooks: [first, second] };
      },
    },
  ],
  webhooks: {
    serialize: (body) => encoder.encode(JSON.stringify(body)),
    sign: ({ body, eventId, timestamp, secret }) => {
      const seconds = Math.floor(timestamp.getTime() / 1000);
      const signature = createHmac('sha256', secret)
        .update(`${eventId}.${seconds}.`)
        .update(body)
        .digest('base64');
      return {
        'test-event-id': eventId,
        'test-timestamp': String(seconds),
        'test-signature': `v1,${signature}`,
      };
    },
  },
});

/** What `cli.ts --definition` imports. */
export const mockDefinition = testProvider;
