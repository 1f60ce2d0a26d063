/** The mock Connect page: `GET /authorize` shows it, `POST /authorize` (form) signs in, verifies MFA, redirects. */
import { randomUUID } from 'node:crypto';
import type { MockContext, MockRequest, MockResponse, RouteDefinition } from '@reconnect-kit/mock-engine';
import { CODE_TTL_MS, completeConnect } from '../connect/complete.js';
import { type ConnectLaunch, ConnectPageError, resolveLaunch } from '../connect/launch.js';
import { errorPage, loginPage, mfaPage, successPage } from '../connect/page.js';
import { findProvider } from '../domain/providers.js';
import type { FinchState } from '../domain/state.js';

type Ctx = MockContext<FinchState>;

/** Finch Sandbox credentials (developer.tryfinch.com, Finch Sandbox). */
const SANDBOX_USERNAME = 'good_user';
const SANDBOX_PASSWORD = 'good_pass';
const SANDBOX_MFA_PASSWORD = 'mfa';
/** Finch Sandbox's entity-selection login: the connection reaches several legal employers. */
const SANDBOX_MULTI_ENTITY_PASSWORD = 'multi_entity';
const MULTI_ENTITY_COUNT = 3;
/** Finch does not publish one; the mock accepts exactly this code. */
const SANDBOX_MFA_CODE = '123456';

function htmlResponse(status: number, markup: string): MockResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: markup,
  };
}

function showLogin(launch: ConnectLaunch, status = 200, error?: string, username?: string) {
  const reauth = launch.session?.kind === 'reauth';
  const provider = findProvider(launch.providerId);
  const customer = launch.session?.customerName;
  return htmlResponse(
    status,
    loginPage({
      heading: reauth ? 'Reconnect your payroll provider' : 'Connect your payroll provider',
      intro: reauth
        ? 'Your payroll connection needs you to sign in again.'
        : `Sign in to share your payroll data${customer ? ` for ${customer}` : ''}.`,
      providerName: provider?.displayName ?? null,
      carry: launch.carry,
      products: launch.products,
      ...(error ? { error } : {}),
      ...(username ? { username } : {}),
    }),
  );
}

function finish(
  ctx: Ctx,
  launch: ConnectLaunch,
  providerId: string,
  username: string,
  entities = 1,
): MockResponse {
  const code = completeConnect(ctx, launch, providerId, username, entities);
  if (!launch.redirectUri) return htmlResponse(200, successPage(code, launch.state));
  const target = new URL(launch.redirectUri);
  target.searchParams.set('code', code);
  if (launch.state) target.searchParams.set('state', launch.state);
  return { status: 302, headers: { location: target.toString(), 'cache-control': 'no-store' } };
}

function verifyMfa(ctx: Ctx, launch: ConnectLaunch, form: URLSearchParams): MockResponse {
  const challengeId = form.get('mfa_challenge') ?? '';
  const challenge = ctx.state.mfaChallenges.get(challengeId);
  if (!challenge || ctx.clock.now() >= challenge.expiresAt) {
    ctx.state.mfaChallenges.delete(challengeId);
    return showLogin(launch, 401, 'Your verification expired. Sign in again.');
  }
  if (form.get('mfa_code') !== SANDBOX_MFA_CODE) {
    return htmlResponse(
      401,
      mfaPage({ ...launch.carry, mfa_challenge: challengeId }, 'That code is not correct.'),
    );
  }
  ctx.state.mfaChallenges.delete(challengeId);
  return finish(ctx, launch, challenge.providerId, challenge.username);
}

function signIn(ctx: Ctx, launch: ConnectLaunch, form: URLSearchParams): MockResponse {
  const providerId = launch.providerId ?? form.get('provider_id') ?? '';
  const username = form.get('username') ?? '';
  if (!findProvider(providerId)) return showLogin(launch, 400, 'Choose your payroll provider.', username);
  const password = form.get('password') ?? '';
  if (username === SANDBOX_USERNAME && password === SANDBOX_MFA_PASSWORD) {
    const challengeId = randomUUID();
    ctx.state.mfaChallenges.set(challengeId, {
      providerId,
      username,
      expiresAt: new Date(ctx.clock.now().getTime() + CODE_TTL_MS),
    });
    return htmlResponse(200, mfaPage({ ...launch.carry, mfa_challenge: challengeId }));
  }
  const entities = password === SANDBOX_MULTI_ENTITY_PASSWORD ? MULTI_ENTITY_COUNT : 1;
  if (username !== SANDBOX_USERNAME || (password !== SANDBOX_PASSWORD && entities === 1)) {
    return showLogin(launch, 401, 'Invalid username or password.', username);
  }
  return finish(ctx, launch, providerId, username, entities);
}

function handle(
  ctx: Ctx,
  params: URLSearchParams,
  step: (launch: ConnectLaunch) => MockResponse,
): MockResponse {
  try {
    return step(resolveLaunch(ctx, params));
  } catch (error) {
    if (error instanceof ConnectPageError)
      return htmlResponse(error.status, errorPage(error.heading, error.message));
    throw error;
  }
}

export const connectPageRoutes: RouteDefinition<FinchState>[] = [
  {
    method: 'GET',
    path: '/authorize',
    handler: (req: MockRequest, ctx: Ctx) => handle(ctx, req.query, (launch) => showLogin(launch)),
  },
  {
    method: 'POST',
    path: '/authorize',
    handler: (req: MockRequest, ctx: Ctx) => {
      const form = req.form();
      return handle(ctx, form, (launch) =>
        form.has('mfa_challenge') ? verifyMfa(ctx, launch, form) : signIn(ctx, launch, form),
      );
    },
  },
];
