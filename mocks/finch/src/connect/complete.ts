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
import type { FinchConnection, FinchState } from '../domain/state.js';
import { type ConnectLaunch, ConnectPageError } from './launch.js';

export const CODE_TTL_MS = 10 * 60 * 1000;

type Ctx = MockContext<FinchState>;

function newConnection(
  ctx: Ctx,
  launch: ConnectLaunch,
  providerId: string,
  username: string,
  like?: FinchConnection,
) {
  const session = launch.session;
  return createConnection(ctx, {
    company: createCompany(ctx),
    clientId: launch.clientId,
    providerId,
    authenticationType: 'credential',
    products: launch.products,
    customerId: session?.customerId ?? like?.customerId ?? null,
    customerName: session?.customerName ?? like?.customerName ?? null,
    customerEmail: session?.customerEmail ?? like?.customerEmail ?? null,
    username,
  });
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

function connectionForLogin(ctx: Ctx, launch: ConnectLaunch, providerId: string, username: string) {
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
  if (session) return newConnection(ctx, launch, providerId, username);
  const existing = liveConnectionForLogin(ctx.state, launch.clientId, providerId, username);
  return existing
    ? repair(ctx, launch, existing, username)
    : newConnection(ctx, launch, providerId, username);
}

export function completeConnect(
  ctx: Ctx,
  launch: ConnectLaunch,
  providerId: string,
  username: string,
): string {
  const connection = connectionForLogin(ctx, launch, providerId, username);
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
