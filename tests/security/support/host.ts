import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerArgyle } from '@reconnect-kit/argyle';
import {
  type ConnectionStore,
  type Logger,
  RECONNECTION_SERVICE,
  type ReconnectionService,
  registerReconnectKit,
  SqliteConnectionStore,
} from '@reconnect-kit/core';
import { createReconnectRouter, createWebhookRouter } from '@reconnect-kit/express';
import { registerFinch } from '@reconnect-kit/finch';
import { DEFAULT_ARGYLE_CREDENTIALS } from '@reconnect-kit/mock-argyle';
import { FINCH_DEFAULT_CREDENTIALS } from '@reconnect-kit/mock-finch';
import { createPostgresStore } from '@reconnect-kit/store-postgres';
import express from 'express';
import { container } from 'tsyringe';
import {
  DATABASE_URL,
  dropSchema,
  randomSchemaName,
} from '../../../packages/store-postgres/src/testing/database.js';

/**
 * The host app an attacker meets: composed as the README shows (webhook router before the body parsers, a session
 * in front of the reconnect router, a real `authorize`), against the real Argyle and Finch mocks over HTTP.
 * The "session" is a cookie `session=<host user id>` standing in for the host's own authentication.
 */

export const ARGYLE_WEBHOOK_SECRET = 'security-suite-argyle-webhook-secret';

export interface StoreKind {
  readonly name: 'sqlite' | 'postgres';
  open(): Promise<{ store: ConnectionStore; dispose(): Promise<void> }>;
}

export const STORES: readonly StoreKind[] = [
  {
    name: 'sqlite',
    open: async () => {
      const store = new SqliteConnectionStore(':memory:');
      return { store, dispose: () => store.close() };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const schema = randomSchemaName();
      const store = await createPostgresStore({ connectionString: DATABASE_URL, schema, poolSize: 4 });
      return {
        store,
        dispose: async () => {
          await store.close();
          await dropSchema(schema);
        },
      };
    },
  },
];

export interface SecurityHost {
  readonly url: string;
  readonly service: ReconnectionService;
  readonly logs: { level: string; message: string; fields: Record<string, unknown> | undefined }[];
  close(): Promise<void>;
}

export async function startHost(
  store: ConnectionStore,
  mocks: { argyleUrl: string; finchUrl: string },
  options: { readonly bindSessions?: boolean } = {},
): Promise<SecurityHost> {
  const logs: SecurityHost['logs'] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    logs.push({ level, message, fields });
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const kit = container.createChildContainer();
  registerReconnectKit(kit, {
    stateSigningKey: randomBytes(32).toString('hex'),
    secretBox: { keys: [{ id: 'k1', key: randomBytes(32).toString('base64') }], primaryKeyId: 'k1' },
    store,
  });
  registerArgyle(kit, {
    apiKeyId: DEFAULT_ARGYLE_CREDENTIALS.api_key_id,
    apiKeySecret: DEFAULT_ARGYLE_CREDENTIALS.api_key_secret,
    baseUrl: `${mocks.argyleUrl}/v2`,
    webhookSecret: ARGYLE_WEBHOOK_SECRET,
    linkUrl: `${mocks.argyleUrl}/link`,
  });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  registerFinch(kit, {
    clientId: FINCH_DEFAULT_CREDENTIALS.client_id,
    clientSecret: FINCH_DEFAULT_CREDENTIALS.client_secret,
    webhookSecret: FINCH_DEFAULT_CREDENTIALS.webhook_secret,
    baseUrl: mocks.finchUrl,
    redirectUri: `${url}/reconnect/callback`,
  });
  const service = kit.resolve<ReconnectionService>(RECONNECTION_SERVICE);

  const app = express();
  app.use('/hooks', createWebhookRouter(service, { logger }));
  app.use(express.json());
  app.use((req, _res, next) => {
    const session = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    (req as express.Request & { userId?: string }).userId = session;
    next();
  });
  app.use(
    createReconnectRouter(service, {
      authorize: (req, connection) =>
        connection.hostUserId === (req as express.Request & { userId?: string }).userId,
      callbackUrl: `${url}/reconnect/callback`,
      returnUrl: `${url}/settings`,
      logger,
      // Optional session binding (the host's HttpOnly `sid` cookie): off by default here, so the other tests can
      // play an attacker who holds a live state without the victim's session.
      ...(options.bindSessions && {
        sessionBinding: (request: { headers: Headers }) =>
          /(?:^|;\s*)sid=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1],
      }),
    }),
  );
  server.on('request', app);
  return {
    url,
    service,
    logs,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
