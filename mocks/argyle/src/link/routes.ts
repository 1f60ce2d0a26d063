/**
 * The mock Link flows, driven by plain form posts:
 * - `GET /link?user_token=…[&account_id=…][&items=item_a,item_b][&redirect_uri=…]` or `GET /link?invite=<id>`;
 * - `GET /link/share` (the flow's shareable URL: a new user) and `GET /link/share/<share id>` (that user's own
 *   shareable URL, which opens their connections);
 * - `POST /link/login` (credentials; new account or re-entered credentials), `POST /link/mfa` (the code),
 *   `POST /link/reconnect` (one-click, same account id), `POST /link/resume` (continue an interrupted connection
 *   at its MFA step), `POST /link/revoke` (`accounts.removed`), `POST /link/user-form` (the response form a user
 *   submits when their employer is not listed: a user form on a new account);
 * - `GET /link/login-help` ("Need help logging in?").
 * Every step re-checks the user token against the mock clock, as Link does (`expired_user_token`).
 */
import type { MockContext, MockRequest, MockResponse, RouteDefinition } from '@reconnect-kit/mock-engine';
import {
  completeConnection,
  createAccount,
  failConnection,
  removeAccount,
  startReconnect,
  takeArmedFailure,
} from '../domain/accounts.js';
import type { MockConnectionErrorCode } from '../domain/connection-errors.js';
import {
  DEFAULT_ITEM,
  findSandboxItem,
  findSandboxUser,
  SANDBOX_ITEMS,
  SANDBOX_PASSWORD,
  type SandboxItem,
} from '../domain/sandbox.js';
import type { AccountRecord, ArgyleState } from '../domain/state.js';
import { submitUserForm as createUserForm } from '../domain/user-files.js';
import { createUser } from '../domain/users.js';
import {
  accountScreen,
  credentialsScreen,
  errorScreen,
  formSubmittedScreen,
  homeScreen,
  loginHelpScreen,
  loginScreen,
  mfaScreen,
  revokedScreen,
  successScreen,
} from './markup.js';
import { LINK_PATH, sharePath } from './paths.js';
import { LinkError, type LinkSession, markInvite, openSession, ownAccount } from './session.js';

type Ctx = MockContext<ArgyleState>;

/** How long Link waits for the MFA code (mock clock) before the attempt fails with `mfa_timeout`. */
export const MFA_TIMEOUT_MS = 5 * 60 * 1000;
/** Codes a Reconnect press (no credentials; MFA is still asked) can fix; a system_error retry too. */
const ONE_CLICK_CODES = new Set(['auth_required', 'mfa_timeout', 'system_error', 'ongoing_refresh_disabled']);
/** Codes fixed only by entering credentials again. */
const CREDENTIAL_CODES = new Set(['expired_credentials', 'invalid_credentials']);

const LOGIN_ERROR_MESSAGES: Record<string, string> = {
  invalid_credentials: 'The username or password is incorrect. Please try again.',
  expired_credentials:
    'Your password has expired. Reset it on your payroll site, then log in with the new one.',
  duplicate_account: 'This account is already connected.',
  mfa_timeout: 'The verification step timed out. Please try again.',
};

function htmlResponse(status: number, markup: string): MockResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: markup,
  };
}

function requestedItems(fields: URLSearchParams): readonly SandboxItem[] {
  const ids = (fields.get('items') ?? '').split(',').filter((id) => id !== '');
  if (ids.length === 0) return SANDBOX_ITEMS;
  const items = ids.map(findSandboxItem);
  if (items.some((item) => item === undefined)) {
    throw new LinkError(
      400,
      'invalid_items',
      `Unknown item. Sandbox items: ${SANDBOX_ITEMS.map((i) => i.id).join(', ')}.`,
    );
  }
  return items as SandboxItem[];
}

function itemOf(account: AccountRecord): SandboxItem {
  return findSandboxItem(account.itemId) ?? DEFAULT_ITEM;
}

function loginError(code: string) {
  return { code, message: LOGIN_ERROR_MESSAGES[code] ?? 'Something went wrong. Please try again.' };
}

/** The screen for one existing account, chosen by its connection state. */
function accountView(session: LinkSession, account: AccountRecord): string {
  const { status, errorCode, errorMessage } = account.connection;
  if (status === 'error' && errorCode !== null && CREDENTIAL_CODES.has(errorCode)) {
    return credentialsScreen({
      session,
      items: [itemOf(account)],
      accountId: account.id,
      username: account.login,
      error: loginError(errorCode),
    });
  }
  const canReconnect = status === 'error' && errorCode !== null && ONE_CLICK_CODES.has(errorCode);
  const message =
    status === 'connected'
      ? 'This account is connected and refreshing.'
      : status === 'connecting'
        ? 'Connecting this account was interrupted. Continue where you left off.'
        : errorCode === 'ongoing_refresh_disabled'
          ? 'Data refreshes are turned off for this account. Press Reconnect to turn them back on.'
          : canReconnect && errorCode !== 'system_error'
            ? 'This account was disconnected. Press Reconnect to restore it; no password needed.'
            : (errorMessage ?? 'This account has a problem.');
  return accountScreen({
    session,
    accountId: account.id,
    employer: account.employer,
    status,
    errorCode,
    message,
    canReconnect,
    canResume: status === 'connecting',
  });
}

function askForMfa(ctx: Ctx, session: LinkSession, account: AccountRecord): MockResponse {
  const challenge = {
    id: ctx.newId(),
    accountId: account.id,
    expiresAt: new Date(ctx.clock.now().getTime() + MFA_TIMEOUT_MS),
  };
  ctx.state.mfaChallenges.set(challenge.id, challenge);
  return htmlResponse(200, mfaScreen(session, challenge.id, account.employer, sandboxCode(account)));
}

/** A failed (re)connection: `accounts.failed` + `accounts.updated`, and the login form asks again. */
function failAndAskCredentials(
  ctx: Ctx,
  session: LinkSession,
  account: AccountRecord,
  code: MockConnectionErrorCode,
  username: string,
): MockResponse {
  failConnection(ctx, account, code);
  markInvite(session.invite, 'attempted', ctx);
  return htmlResponse(
    200,
    credentialsScreen({
      session,
      items: [itemOf(account)],
      accountId: account.id,
      username,
      error: loginError(code),
    }),
  );
}

/** The MFA code the sandbox login of this account accepts (shown on the MFA page, as Argyle's sandbox Link does). */
function sandboxCode(account: AccountRecord): string | undefined {
  return findSandboxUser(account.login)?.mfaCode;
}

function openLink(req: MockRequest, ctx: Ctx): MockResponse {
  return showLink(req, ctx, req.query);
}

function showLink(req: MockRequest, ctx: Ctx, fields: URLSearchParams): MockResponse {
  const session = openSession(fields, ctx);
  const accountId = fields.get('account_id');
  if (accountId) return htmlResponse(200, accountView(session, ownAccount(session, accountId, ctx)));
  const items = requestedItems(fields);
  const connections = [...ctx.state.accounts.values()]
    .filter((account) => account.userId === session.userId)
    .sort((a, b) => a.rowKey - b.rowKey)
    .map((account) => ({ id: account.id, employer: account.employer, status: account.connection.status }));
  return htmlResponse(200, homeScreen(session, connections, items, req.baseUrl));
}

/** A user's shareable URL: Link for that user, with their connections. */
function openShared(req: MockRequest, ctx: Ctx): MockResponse {
  const fields = new URLSearchParams(req.query);
  fields.set('share', req.params.id ?? '');
  return showLink(req, ctx, fields);
}

/** The flow's shareable URL: like Link opened without a user token, each visit creates a user. */
function openNewShared(_req: MockRequest, ctx: Ctx): MockResponse {
  const user = createUser(ctx);
  const location = sharePath(user.shareId);
  return {
    status: 303,
    headers: { location, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><title>Argyle Link</title><p><a href="${location}">Continue to Link</a></p>`,
  };
}

/** Continues a connection left at its MFA step (still `connecting`): the pending code request, or a fresh one. */
function submitResume(req: MockRequest, ctx: Ctx): MockResponse {
  const form = req.form();
  const session = openSession(form, ctx);
  const account = ownAccount(session, form.get('account_id'), ctx);
  if (account.connection.status !== 'connecting') return htmlResponse(409, accountView(session, account));
  const now = ctx.clock.now().getTime();
  const pending = [...ctx.state.mfaChallenges.values()].find(
    (challenge) => challenge.accountId === account.id && challenge.expiresAt.getTime() > now,
  );
  if (pending)
    return htmlResponse(200, mfaScreen(session, pending.id, account.employer, sandboxCode(account)));
  return askForMfa(ctx, session, account);
}

function submitLogin(req: MockRequest, ctx: Ctx): MockResponse {
  const form = req.form();
  const session = openSession(form, ctx);
  const username = (form.get('username') ?? '').trim();
  const password = form.get('password') ?? '';
  const accountId = form.get('account_id');
  const existingById = accountId ? ownAccount(session, accountId, ctx) : undefined;
  const item = existingById ? itemOf(existingById) : findSandboxItem(form.get('item') ?? '');
  if (!item) throw new LinkError(400, 'invalid_items', 'Pick a payroll provider from the list.');
  if (username === '' || password === '') {
    return htmlResponse(
      400,
      loginScreen({
        session,
        items: [item],
        accountId: accountId ?? undefined,
        username,
        error: { code: 'missing_fields', message: 'Enter both your username and your password.' },
      }),
    );
  }
  // The same payroll login of the same user is the same account (a failed login already created it).
  const existing =
    existingById ??
    [...ctx.state.accounts.values()].find(
      (account) =>
        account.userId === session.userId && account.itemId === item.id && account.login === username,
    );
  if (existing?.connection.status === 'connected') {
    return htmlResponse(
      200,
      loginScreen({ session, items: [item], username, error: loginError('duplicate_account') }),
    );
  }
  const credentialsOk =
    findSandboxUser(username) !== undefined &&
    password === SANDBOX_PASSWORD &&
    (existing === undefined || existing.login === username);
  if (existing) {
    startReconnect(ctx, existing);
    const armed = takeArmedFailure(existing);
    if (armed) return failAndAskCredentials(ctx, session, existing, armed, username);
    if (!credentialsOk) return failAndAskCredentials(ctx, session, existing, 'invalid_credentials', username);
    return askForMfa(ctx, session, existing);
  }
  const { account } = createAccount(ctx, { userId: session.userId, itemId: item.id, login: username });
  if (!credentialsOk) return failAndAskCredentials(ctx, session, account, 'invalid_credentials', username);
  return askForMfa(ctx, session, account);
}

function submitMfa(req: MockRequest, ctx: Ctx): MockResponse {
  const form = req.form();
  const session = openSession(form, ctx);
  const challenge = ctx.state.mfaChallenges.get(form.get('challenge') ?? '');
  const account = challenge ? ctx.state.accounts.get(challenge.accountId) : undefined;
  if (!challenge || !account || account.userId !== session.userId) {
    throw new LinkError(400, 'generic', 'This verification step is no longer active. Start again.');
  }
  if (ctx.clock.now().getTime() >= challenge.expiresAt.getTime()) {
    ctx.state.mfaChallenges.delete(challenge.id);
    failConnection(ctx, account, 'mfa_timeout');
    markInvite(session.invite, 'attempted', ctx);
    return htmlResponse(200, accountView(session, account));
  }
  const expected = findSandboxUser(account.login)?.mfaCode;
  if ((form.get('code') ?? '').trim() !== expected) {
    return htmlResponse(
      200,
      mfaScreen(
        session,
        challenge.id,
        account.employer,
        sandboxCode(account),
        'That code is not correct. Try again.',
      ),
    );
  }
  ctx.state.mfaChallenges.delete(challenge.id);
  completeConnection(ctx, account);
  markInvite(session.invite, 'completed', ctx);
  return htmlResponse(
    200,
    successScreen({
      employer: account.employer,
      accountId: account.id,
      userId: account.userId,
      returnUrl: session.redirectUri ? returnUrl(session.redirectUri, account) : undefined,
    }),
  );
}

/** `redirect_uri` plus `account_id` and `user_id` (the Link `onAccountConnected` payload). */
function returnUrl(redirectUri: string, account: AccountRecord): string {
  const url = new URL(redirectUri);
  url.searchParams.set('account_id', account.id);
  url.searchParams.set('user_id', account.userId);
  return url.toString();
}

function submitReconnect(req: MockRequest, ctx: Ctx): MockResponse {
  const form = req.form();
  const session = openSession(form, ctx);
  const account = ownAccount(session, form.get('account_id'), ctx);
  const { status, errorCode } = account.connection;
  if (status !== 'error' || errorCode === null || !ONE_CLICK_CODES.has(errorCode)) {
    // Nothing to reconnect in one click: show the account as it is (credentials form, status, …).
    return htmlResponse(409, accountView(session, account));
  }
  startReconnect(ctx, account);
  const armed = takeArmedFailure(account);
  if (armed) return failAndAskCredentials(ctx, session, account, armed, account.login);
  return askForMfa(ctx, session, account);
}

function submitRevoke(req: MockRequest, ctx: Ctx): MockResponse {
  const form = req.form();
  const session = openSession(form, ctx);
  const account = ownAccount(session, form.get('account_id'), ctx);
  removeAccount(ctx, account);
  return htmlResponse(200, revokedScreen(session, account.employer));
}

/** The response form ("Can't find your employer?"): `income_source` required, `payroll_provider` optional. */
function submitUserForm(req: MockRequest, ctx: Ctx): MockResponse {
  const fields = req.form();
  const session = openSession(fields, ctx);
  const incomeSource = fields.get('income_source')?.trim() ?? '';
  if (incomeSource === '') {
    throw new LinkError(
      400,
      'invalid_form',
      'Enter your income source (the employer or platform that pays you).',
    );
  }
  const payrollProvider = fields.get('payroll_provider')?.trim() || null;
  const { form } = createUserForm(ctx, session.userId, { incomeSource, payrollProvider });
  return htmlResponse(200, formSubmittedScreen({ accountId: form.accountId, formId: form.id }));
}

function linkRoute(
  method: 'GET' | 'POST',
  path: string,
  handler: (req: MockRequest, ctx: Ctx) => MockResponse,
): RouteDefinition<ArgyleState> {
  return {
    method,
    path,
    handler(req, ctx) {
      try {
        return handler(req, ctx);
      } catch (error) {
        if (error instanceof LinkError)
          return htmlResponse(error.status, errorScreen(error.errorType, error.userMessage));
        throw error;
      }
    },
  };
}

export const linkRoutes: RouteDefinition<ArgyleState>[] = [
  linkRoute('GET', LINK_PATH, openLink),
  linkRoute('POST', `${LINK_PATH}/login`, submitLogin),
  linkRoute('POST', `${LINK_PATH}/mfa`, submitMfa),
  linkRoute('POST', `${LINK_PATH}/reconnect`, submitReconnect),
  linkRoute('POST', `${LINK_PATH}/resume`, submitResume),
  linkRoute('GET', `${LINK_PATH}/share`, openNewShared),
  linkRoute('GET', `${LINK_PATH}/share/:id`, openShared),
  linkRoute('POST', `${LINK_PATH}/revoke`, submitRevoke),
  linkRoute('POST', `${LINK_PATH}/user-form`, submitUserForm),
  linkRoute('GET', `${LINK_PATH}/login-help`, (req) =>
    htmlResponse(200, loginHelpScreen(findSandboxItem(req.query.get('item') ?? ''))),
  ),
];
