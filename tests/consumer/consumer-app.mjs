// A host app as an npm user writes it: plain Node ESM, packages installed from the packed tarballs.
// Copied into a fresh project by pack-install.test.ts; prints one JSON line with what it observed.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { registerArgyle } from '@reconnect-kit/argyle';
import { RECONNECTION_SERVICE, registerReconnectKit } from '@reconnect-kit/core';
import { createWebhookRouter } from '@reconnect-kit/express';
import { registerFinch } from '@reconnect-kit/finch';
import { DEFAULT_ARGYLE_CREDENTIALS, startArgyleMock } from '@reconnect-kit/mock-argyle';
import { FINCH_DEFAULT_CREDENTIALS, startFinchMock } from '@reconnect-kit/mock-finch';
import express from 'express';
import { container } from 'tsyringe';

async function admin(mockUrl, path, body) {
  const response = await fetch(`${mockUrl}/__admin${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`admin POST ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const app = container.createChildContainer();
registerReconnectKit(app, {
  stateSigningKey: randomBytes(32).toString('hex'),
  secretBox: { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }], primaryKeyId: 'k1' },
  store: { kind: 'sqlite', path: ':memory:' },
});

// The host's HTTP server first: the Finch mock is told where to deliver webhooks when it starts.
const web = express();
const received = [];
web.use('/hooks', (req, _res, next) => {
  received.push(`${req.method} ${req.originalUrl}`);
  next();
});
const server = web.listen(0, '127.0.0.1');
await once(server, 'listening');
const hostUrl = `http://127.0.0.1:${server.address().port}`;

const finchMock = await startFinchMock({ port: 0, env: {}, webhookUrl: `${hostUrl}/hooks/webhooks/finch` });
const argyleMock = await startArgyleMock({ port: 0, env: {} });
try {
  registerFinch(app, {
    clientId: FINCH_DEFAULT_CREDENTIALS.client_id,
    clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
    webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
    redirectUri: `${hostUrl}/reconnect/callback`,
    baseUrl: finchMock.url,
    maxRetries: 0,
  });
  registerArgyle(app, {
    apiKeyId: DEFAULT_ARGYLE_CREDENTIALS.api_key_id,
    apiKeySecret: DEFAULT_ARGYLE_CREDENTIALS.api_key_secret,
    baseUrl: `${argyleMock.url}/v2`,
    webhookSecret: 'consumer-test-webhook-secret',
    linkUrl: `${argyleMock.url}/link`,
  });
  const service = app.resolve(RECONNECTION_SERVICE);
  web.use('/hooks', createWebhookRouter(service));

  // Finch: a connected employer, then the mock breaks it and delivers a signed account.updated to express.
  const { changed: finch } = await admin(finchMock.url, '/scenarios/finch.seed_connected', {
    provider_id: 'gusto',
  });
  const finchConnection = await service.registerConnection({
    provider: 'finch',
    hostUserId: 'user-1',
    upstreamId: finch.connection_id,
    upstreamParentId: finch.company_id,
    secrets: { access_token: finch.access_token },
  });
  const finchBefore = (await service.getConnection(finchConnection.id)).state;
  await admin(finchMock.url, '/scenarios/finch.reauth', { target: finch.connection_id });
  const flushed = await admin(finchMock.url, '/webhooks/flush');
  const finchAfter = (await service.getConnection(finchConnection.id)).state;

  // Argyle, in the same container: the mock logs the account out; a status check sees it.
  const { changed: argyle } = await admin(argyleMock.url, '/scenarios/argyle.seed_connected');
  const argyleConnection = await service.registerConnection({
    provider: 'argyle',
    hostUserId: 'user-1',
    upstreamId: argyle.account_id,
    upstreamParentId: argyle.user_id,
    state: 'connected',
  });
  await admin(argyleMock.url, '/scenarios/argyle.auth_required', { target: argyle.account_id });
  const argyleAfter = (await service.checkStatus(argyleConnection.id)).state;

  console.log(
    JSON.stringify({ finchBefore, finchAfter, argyleAfter, received, drained: flushed.drained ?? null }),
  );
} finally {
  await finchMock.close();
  await argyleMock.close();
  server.close();
}
