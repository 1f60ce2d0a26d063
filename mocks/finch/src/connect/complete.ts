/**
 * What a successful Connect login does: repair the connection being re-authenticated (same connection_id) or
 * create a new one, then issue a single-use authorization code that expires after 10 minutes of mock time.
 */
import { randomUUID } from 'node:crypto';
import type { MockContext } from '@reconnect-kit/mock-engine';
import {
  createCompany,
  createConnection,
  liveConnectionForLogin,
  setConnectionStatus,
} from '../domain/connections.js';
import { enqueueJob } from '../domain/jobs.js';
import type { FinchConnection, FinchState } from '../domain/state.js';
import { type ConnectLaunch, ConnectPageError } from './launch.js';

export const CODE_TTL_MS = 10 * 60 * 1000;

type Ctx = MockContext<FinchState>;

/** Product sets behind Finch's two first-sync webhooks. */
const PAYROLL_PRODUCTS = ['payment', 'pay_statement'];

function newConnection(
  ctx: Ctx,
  launch: ConnectLaunch,
  providerId: string,
  username: string,
  like?: FinchConnection,
  entities = 1,
) {
  const session = launch.session;
  const connection = createConnection(ctx, {
    company: createCompany(ctx),
    moreEntities: Array.from({ length: entities - 1 }, () => createCompany(ctx)),
    clientId: launch.clientId,
    providerId,
    authenticationType: 'credential',
    products: launch.products,
    customerId: session?.customerId ?? like?.customerId ?? null,
    customerName: session?.customerName ?? like?.customerName ?? null,
    customerEmail: session?.customerEmail ?? like?.customerEmail ?? null,
    username,
  });
  // A new connection's first sync: organization data, then payroll data if it was asked for.
  enqueueJob(ctx, connection, {
    kind: 'automated',
    type: 'data_sync_all',
    completionEvent: 'job.initial_data_sync_org.succeeded',
  });
  if (connection.products.some((p) => PAYROLL_PRODUCTS.includes(p))) {
    enqueueJob(ctx, connection, {
      kind: 'automated',
      type: 'data_sync_all',
      completionEvent: 'job.initial_data_sync_payroll.succeeded',
    });
  }
  return connection;
}

/** Re-authenticates `existing`, unless a scenario made this login land in another company. */
function repair(
  ctx: Ctx,
  launch: ConnectLaunch,
  existing: FinchConnection,
  username: string,
): FinchConnection {
  if (existing.nextLoginLandsElsewhere) {
    existing.nextLoginLandsElsewhere = false;
    return newConnection(ctx, launch, existing.providerId, username, existing);
  }
  existing.products = [...new Set([...existing.products, ...launch.products])];
  setConnectionStatus(ctx, existing, 'connected');
  return existing;
}

function connectionForLogin(
  ctx: Ctx,
  launch: ConnectLaunch,
  providerId: string,
  username: string,
  entities: number,
) {
  const session = launch.session;
  if (session?.kind === 'reauth') {
    const existing = session.connectionId ? ctx.state.connections.get(session.connectionId) : undefined;
    if (!existing || existing.status === 'disconnected') {
      throw new ConnectPageError(
        410,
        'Connection gone',
        'This connection was disconnected; connect again instead.',
      );
    }
    return repair(ctx, launch, existing, username);
  }
  if (session) return newConnection(ctx, launch, providerId, username, undefined, entities);
  const existing = liveConnectionForLogin(ctx.state, launch.clientId, providerId, username);
  return existing
    ? repair(ctx, launch, existing, username)
    : newConnection(ctx, launch, providerId, username, undefined, entities);
}

export function completeConnect(
  ctx: Ctx,
  launch: ConnectLaunch,
  providerId: string,
  username: string,
  entities = 1,
): string {
  const connection = connectionForLogin(ctx, launch, providerId, username, entities);
  const now = ctx.clock.now();
  if (launch.session) launch.session.completedAt = now;
  const code = randomUUID();
  ctx.state.codes.set(code, {
    clientId: launch.clientId,
    connectionId: connection.id,
    redirectUri: launch.redirectUri,
    expiresAt: new Date(now.getTime() + CODE_TTL_MS),
    usedAt: null,
  });
  return code;
}
