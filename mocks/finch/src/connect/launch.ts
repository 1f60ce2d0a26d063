/**
 * How a Connect page visit was launched: a Connect session (`?session=<id>[&state=…]`) or the legacy static URL
 * (`?client_id&products&redirect_uri[&state][&payroll_provider]`). The same parameters travel as hidden form fields.
 */
import { type MockContext, secretsEqual } from '@reconnect-kit/mock-engine';
import { findProvider } from '../domain/providers.js';
import type { ConnectSession, FinchState } from '../domain/state.js';

export interface ConnectLaunch {
  clientId: string;
  products: string[];
  redirectUri: string | null;
  state: string | null;
  /** Fixed provider; null shows the picker. */
  providerId: string | null;
  session: ConnectSession | null;
  /** The launch parameters to carry to the next step. */
  carry: Record<string, string | null>;
}

/** A launch that cannot go on: shown as an error page with this HTTP status. */
export class ConnectPageError extends Error {
  constructor(
    readonly status: number,
    readonly heading: string,
    message: string,
  ) {
    super(message);
  }
}

function sessionLaunch(ctx: MockContext<FinchState>, sessionId: string, state: string | null): ConnectLaunch {
  const session = ctx.state.sessions.get(sessionId);
  if (!session) throw new ConnectPageError(404, 'Link not valid', 'This Connect link is not valid.');
  if (session.completedAt) {
    throw new ConnectPageError(
      410,
      'Link already used',
      'This Connect link was already used. Ask for a new one.',
    );
  }
  if (ctx.clock.now() >= session.expiresAt) {
    throw new ConnectPageError(410, 'Link expired', 'This Connect link has expired. Ask for a new one.');
  }
  return {
    clientId: session.clientId,
    products: session.products,
    redirectUri: session.redirectUri,
    state,
    providerId: session.providerId,
    session,
    carry: { session: session.id, state },
  };
}

function legacyLaunch(ctx: MockContext<FinchState>, params: URLSearchParams): ConnectLaunch {
  const clientId = params.get('client_id') ?? '';
  if (!secretsEqual(clientId, ctx.config.credentials.client_id ?? '')) {
    throw new ConnectPageError(400, 'Invalid link', 'Unknown client_id.');
  }
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri || !/^https?:$/.test(URL.parse(redirectUri)?.protocol ?? '')) {
    throw new ConnectPageError(400, 'Invalid link', 'redirect_uri is required and must be an http(s) URL.');
  }
  const products = (params.get('products') ?? '').split(/[\s,]+/).filter(Boolean);
  if (products.length === 0) throw new ConnectPageError(400, 'Invalid link', 'products is required.');
  const providerParam = params.get('payroll_provider');
  if (providerParam && !findProvider(providerParam)) {
    throw new ConnectPageError(400, 'Invalid link', `Unknown payroll_provider "${providerParam}".`);
  }
  const state = params.get('state');
  return {
    clientId,
    products,
    redirectUri,
    state,
    providerId: providerParam,
    session: null,
    carry: {
      client_id: clientId,
      products: products.join(' '),
      redirect_uri: redirectUri,
      state,
      payroll_provider: providerParam,
    },
  };
}

export function resolveLaunch(ctx: MockContext<FinchState>, params: URLSearchParams): ConnectLaunch {
  const sessionId = params.get('session');
  return sessionId ? sessionLaunch(ctx, sessionId, params.get('state')) : legacyLaunch(ctx, params);
}
