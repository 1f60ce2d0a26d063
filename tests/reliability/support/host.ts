import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerArgyle } from '@reconnect-kit/argyle';
import {
  type Clock,
  type ConnectionStore,
  RECONNECTION_SERVICE,
  type ReconnectionService,
  registerReconnectKit,
  SystemClock,
} from '@reconnect-kit/core';
import { TEST_SECRET_BOX, TEST_STATE_SIGNING_KEY } from '@reconnect-kit/core/testing';
import { createReconnectRouter, createWebhookRouter } from '@reconnect-kit/express';
import { registerFinch } from '@reconnect-kit/finch';
import express from 'express';
import { container, type DependencyContainer } from 'tsyringe';

/**
 * The host app every reliability test runs (in-process or as a child process): core + the express webhook and
 * reconnect routers + the Argyle and Finch adapters, on whatever store the test hands it. Parent and children
 * share these constants, so a state minted by one process is accepted by another.
 */
export const HOST_KEYS = {
  stateSigningKey: TEST_STATE_SIGNING_KEY,
  secretBox: TEST_SECRET_BOX,
  argyleWebhookSecret: 'reliability-argyle-webhook-secret',
} as const;

/** Finch Connect sends the user here (the routes are the same on every host process). */
export const CALLBACK_URL = 'http://host.invalid/reconnect/callback';

export interface HostOptions {
  readonly store: ConnectionStore;
  /** The Finch mock's URL (the Finch adapter is registered only when given). */
  readonly finch?: {
    readonly baseUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly webhookSecret: string;
  };
  readonly clock?: Clock;
  /** Outbox lease (ms): a crashed process's claims become claimable again after it. */
  readonly outboxLeaseMs?: number;
}

export interface Host {
  readonly app: express.Express;
  readonly service: ReconnectionService;
  /** The child container everything is registered in (resolve `ArgyleProvider`, `FinchProvider`, ...). */
  readonly container: DependencyContainer;
}

export function createHost(options: HostOptions): Host {
  const scope = container.createChildContainer();
  registerReconnectKit(scope, {
    stateSigningKey: HOST_KEYS.stateSigningKey,
    secretBox: HOST_KEYS.secretBox,
    store: options.store,
    clock: options.clock ?? new SystemClock(),
    options: { outbox: { leaseMs: options.outboxLeaseMs ?? 30_000 } },
  });
  registerArgyle(scope, {
    apiKeyId: 'reliability-key-id',
    apiKeySecret: 'reliability-key-secret',
    // The storm never calls the Argyle API: a closed port makes any accidental call fail loudly.
    baseUrl: 'http://127.0.0.1:9/v2',
    webhookSecret: HOST_KEYS.argyleWebhookSecret,
    linkUrl: 'http://127.0.0.1:9/link',
  });
  if (options.finch) {
    registerFinch(scope, {
      clientId: options.finch.clientId,
      clientSecret: options.finch.clientSecret,
      webhookSecret: options.finch.webhookSecret,
      baseUrl: options.finch.baseUrl,
      redirectUri: CALLBACK_URL,
    });
  }
  const service = scope.resolve<ReconnectionService>(RECONNECTION_SERVICE);
  const app = express();
  app.use(createWebhookRouter(service));
  app.use(
    createReconnectRouter(service, {
      authorize: () => true,
      callbackUrl: CALLBACK_URL,
      returnUrl: '/connections',
    }),
  );
  return { app, service, container: scope };
}

/** Listens on a free port of 127.0.0.1. */
export async function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(app);
  // Many short requests from one client: keep sockets open between them.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** System time shifted by `offsetMs`: a restarted host "after" a crash, past the dead process's outbox leases. */
export class ShiftedClock extends SystemClock {
  constructor(private readonly offsetMs: number) {
    super();
  }

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
