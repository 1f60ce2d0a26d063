/**
 * `startHostApp`: the whole demo in one process. Starts the Argyle, Finch and Plaid mocks, composes Reconnect Kit
 * against them, serves the dashboard, points the mocks' webhooks at it and seeds demo connections.
 * `pnpm dev` runs it (see dev.ts); the browser e2e tests start it on port 0.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Logger, ReconnectionService } from '@reconnect-kit/core';
import { NoopLogger } from '@reconnect-kit/core';
import { startArgyleMock } from '@reconnect-kit/mock-argyle';
import { startFinchMock } from '@reconnect-kit/mock-finch';
import { startPlaidMock } from '@reconnect-kit/mock-plaid';
import { ActivityFeed } from './activity.js';
import { type ComposedKit, composeReconnectKit, type StoreChoice } from './compose.js';
import { ConnectAgain } from './connect-again.js';
import { DEMO_USERS, MockAdmin, type SeededConnections, seedDemo } from './demo.js';
import { createHostApp } from './routes.js';

export interface HostAppOptions {
  /** Default 0 (a free port). */
  readonly port?: number | undefined;
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined;
  /** When `port` is taken, listen on a free port instead of failing (`pnpm dev`). */
  readonly fallbackToFreePort?: boolean | undefined;
  /** Default: `node:sqlite` in memory. */
  readonly store?: StoreChoice | undefined;
  /** Seed the demo connections (default true). */
  readonly seed?: boolean | undefined;
  readonly logger?: Logger | undefined;
  /** HMAC key for reconnect `state` tokens and base64 AES-256 key for stored secrets (default: random). */
  readonly stateSigningKey?: string | undefined;
  readonly secretKey?: string | undefined;
  /** Environment for the mocks' credential overrides (default: none, the mocks' fixed defaults). */
  readonly mockEnv?: Readonly<Record<string, string | undefined>> | undefined;
  /** How long a reconnect attempt lives (default 30 minutes); links that live a day or more are early warnings. */
  readonly stateTtlMs?: number | undefined;
  /**
   * Tests only: the kit's clock, so a test can move the host's time past an attempt's lifetime. `pnpm dev` never
   * sets it and no route reaches it; the mocks keep their own clocks.
   */
  readonly clock?: Clock | undefined;
  /** How often the dashboard polls when server-sent events are unavailable (default 3 s; tests shorten it). */
  readonly pollIntervalMs?: number | undefined;
}

export interface RunningHostApp {
  /** The dashboard, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly mocks: { readonly argyle: string; readonly finch: string; readonly plaid: string };
  readonly service: ReconnectionService;
  readonly seeded?: SeededConnections | undefined;
  /** Stops the server (and live streams), the kit, then the mocks. Safe to call twice. */
  close(): Promise<void>;
}

const ARGYLE_EVENTS = [
  'accounts.added',
  'accounts.connected',
  'accounts.updated',
  'accounts.failed',
  'accounts.removed',
];

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.off('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

async function listenWithFallback(server: Server, port: number, host: string, fallback: boolean) {
  try {
    return await listen(server, port, host);
  } catch (error) {
    if (!fallback || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return listen(server, 0, host);
  }
}

/** `POST /v2/webhooks`: Argyle delivers account events, with the account resource, signed with our secret. */
async function subscribeArgyleWebhooks(
  argyle: { baseUrl: string; apiKeyId: string; apiKeySecret: string },
  url: string,
  secret: string,
): Promise<void> {
  const response = await fetch(`${argyle.baseUrl}/webhooks`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${argyle.apiKeyId}:${argyle.apiKeySecret}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      events: ARGYLE_EVENTS,
      name: 'paycheck-pal',
      url,
      secret,
      config: { include_resource: true },
    }),
  });
  if (response.status !== 201) throw new Error(`Argyle webhook subscription answered ${response.status}`);
}

export async function startHostApp(options: HostAppOptions = {}): Promise<RunningHostApp> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? new NoopLogger();
  const streams = new Set<ServerResponse>();
  const server = createServer();
  const port = await listenWithFallback(server, options.port ?? 0, host, options.fallbackToFreePort ?? false);
  const baseUrl = `http://${host}:${port}`;
  const cleanup: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const task of cleanup.splice(0).reverse()) await task();
  };
  cleanup.push(
    () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );

  try {
    const env = options.mockEnv ?? {};
    const argyleMock = await startArgyleMock({ port: 0, env });
    cleanup.push(() => argyleMock.close());
    // Finch configures webhooks (target and signing secret, base64) in its dashboard: the mock takes them at start-up.
    const finchMock = await startFinchMock({
      port: 0,
      env,
      webhookUrl: `${baseUrl}/webhooks/finch`,
      webhookSecret: randomBytes(32).toString('base64'),
    });
    cleanup.push(() => finchMock.close());
    // Plaid sends each Item's webhooks to the URL set on the Item (see seedDemo and ConnectAgain).
    const plaidMock = await startPlaidMock({ port: 0, env });
    cleanup.push(() => plaidMock.close());

    const argyleCredentials = argyleMock.instance.ctx.config.credentials;
    const finchCredentials = finchMock.instance.ctx.config.credentials;
    const argyle = {
      apiKeyId: argyleCredentials.api_key_id ?? '',
      apiKeySecret: argyleCredentials.api_key_secret ?? '',
      baseUrl: `${argyleMock.url}/v2`,
      linkUrl: `${argyleMock.url}/link`,
      webhookSecret: randomBytes(24).toString('base64url'),
    };
    const finch = {
      clientId: finchCredentials.client_id ?? '',
      clientSecret: finchCredentials.client_secret ?? '',
      baseUrl: finchMock.url,
      webhookSecret: finchCredentials.webhook_secret ?? '',
    };
    const plaidCredentials = plaidMock.instance.ctx.config.credentials;
    const plaid = {
      clientId: plaidCredentials.client_id ?? '',
      secret: plaidCredentials.secret ?? '',
      baseUrl: plaidMock.url,
    };

    const kit: ComposedKit = await composeReconnectKit({
      store: options.store ?? { kind: 'sqlite', path: ':memory:' },
      callbackUrl: `${baseUrl}/reconnect/callback`,
      argyle,
      finch,
      plaid,
      logger,
      stateSigningKey: options.stateSigningKey,
      secretKey: options.secretKey,
      stateTtlMs: options.stateTtlMs,
      clock: options.clock,
    });
    cleanup.push(() => kit.close());
    const { service } = kit;
    const feed = new ActivityFeed();
    service.subscribe((event) => {
      feed.record(event);
    });

    const mocks = {
      argyle: new MockAdmin(argyleMock.url),
      finch: new MockAdmin(finchMock.url),
      plaid: new MockAdmin(plaidMock.url),
    };
    const app = createHostApp({
      service,
      feed,
      connectAgain: new ConnectAgain({
        service,
        baseUrl,
        argyle,
        finch: { api: finch, provider: kit.finch },
        plaid,
      }),
      baseUrl,
      userName: (id) => DEMO_USERS[id] ?? id,
      logger,
      demo: { mocks },
      streams,
      pollIntervalMs: options.pollIntervalMs,
    });
    server.on('request', app);

    await subscribeArgyleWebhooks(argyle, `${baseUrl}/webhooks/argyle`, argyle.webhookSecret);
    const seeded =
      options.seed === false ? undefined : await seedDemo(service, mocks, `${baseUrl}/webhooks/plaid`);

    return {
      url: baseUrl,
      mocks: { argyle: argyleMock.url, finch: finchMock.url, plaid: plaidMock.url },
      service,
      seeded,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
