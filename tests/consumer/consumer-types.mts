// A TypeScript host app's view of the published declarations (copied into the consumer project by
// pack-install.test.ts and type-checked there with skipLibCheck off). Not run.
import { registerArgyle } from '@reconnect-kit/argyle';
import {
  type ConnectionState,
  RECONNECTION_SERVICE,
  type ReconnectionServiceApi,
  registerReconnectKit,
} from '@reconnect-kit/core';
import { createExampleKit } from '@reconnect-kit/core/testing';
import { createReconnectRouter, createWebhookRouter } from '@reconnect-kit/express';
import { createWebhookHandler } from '@reconnect-kit/express/fetch';
import { registerFinch } from '@reconnect-kit/finch';
import { startArgyleMock } from '@reconnect-kit/mock-argyle';
import { startMockServer } from '@reconnect-kit/mock-engine';
import { startFinchMock } from '@reconnect-kit/mock-finch';
import { createPostgresStore } from '@reconnect-kit/store-postgres';
import express from 'express';
import { container } from 'tsyringe';

const app = container.createChildContainer();
registerReconnectKit(app, {
  stateSigningKey: 'a-signing-key-of-enough-length-0123456789',
  secretBox: { keys: [{ id: 'k1', key: 'base64-key' }], primaryKeyId: 'k1' },
  store: await createPostgresStore({ connectionString: 'postgres://localhost/app' }),
});
registerFinch(app, {
  clientId: 'id',
  clientSecret: 'secret',
  redirectUri: 'https://app.example/reconnect/callback',
  webhookSecret: 'c2VjcmV0',
});
// @ts-expect-error a missing required option is a compile error too
registerFinch(app, { clientId: 'id' });
// @ts-expect-error the adapters' config is typed: a number is not an API key id
registerArgyle(app, { apiKeyId: 42 });

const service = app.resolve<ReconnectionServiceApi>(RECONNECTION_SERVICE);
const state: ConnectionState = (await service.getConnection('conn_1')).state;
// @ts-expect-error states are a closed union, not strings
const notAState: ConnectionState = 'broken';

const web = express();
web.use('/hooks', createWebhookRouter(service));
web.use(
  createReconnectRouter(service, {
    authorize: () => true,
    callbackUrl: 'https://app.test/cb',
    returnUrl: '/',
  }),
);
const handler: (request: Request) => Promise<Response> = (request) =>
  createWebhookHandler(service)(request, { provider: 'finch' });

const finchMock = await startFinchMock({ port: 0 });
const argyleMock = await startArgyleMock({ port: 0 });
const url: string = finchMock.url + argyleMock.url;

export { createExampleKit, handler, notAState, startMockServer, state, url };
