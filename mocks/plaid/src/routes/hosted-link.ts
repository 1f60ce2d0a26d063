/**
 * The hosted Link page (`hosted_link_url`): real HTML usable in a browser and with plain form posts. New mode creates
 * an Item (its public token is read with `/link/token/get`); update mode (a token created with `access_token`)
 * repairs the SAME Item: no new public token, the access token, Item id and account ids stay. On success the page
 * redirects to `hosted_link.completion_redirect_uri` when one was given.
 */
import { randomBytes } from 'node:crypto';
import type { MockRequest, MockResponse, RouteDefinition } from '@reconnect-kit/mock-engine';
import { DEFAULT_INSTITUTION_ID, findInstitution, SANDBOX_INSTITUTIONS } from '../domain/institutions.js';
import { createItem, institutionOf, issuePublicToken } from '../domain/items.js';
import type { LinkSession, LinkTokenRecord, PlaidItem, PlaidMockState } from '../domain/state.js';
import type { Ctx } from '../http/api.js';
import { HOSTED_LINK_PATH } from './link.js';

/** Plaid Sandbox credentials (plaid.com/docs/sandbox/test-credentials). */
export const SANDBOX_USERNAME = 'user_good';
export const SANDBOX_PASSWORD = 'pass_good';

/** Item errors a successful update-mode login clears (revocations need a new Item). */
const UPDATE_MODE_REPAIRS: ReadonlySet<string> = new Set(['ITEM_LOGIN_REQUIRED', 'ITEM_LOCKED']);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(status: number, title: string, content: string): MockResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Plaid Link (mock)</title>
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input,select{width:100%;padding:.4rem}button{margin-top:1rem;padding:.5rem 1rem}
.error{color:#b00020}.hint{color:#555;font-size:.9rem}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${content}
</body></html>`,
  };
}

interface HostedLaunch {
  readonly record: LinkTokenRecord;
  readonly item: PlaidItem | undefined;
}

function launchFor(req: MockRequest, ctx: Ctx): HostedLaunch | MockResponse {
  const token = ctx.state.hostedLinks.get(req.params.id ?? '');
  const record = token === undefined ? undefined : ctx.state.linkTokens.get(token);
  if (!record) return page(404, 'Link not found', '<p class="error">This Link URL does not exist.</p>');
  if (ctx.clock.now() >= record.expiresAt) {
    return page(
      400,
      'Link expired',
      '<p class="error">This Link session has expired (INVALID_LINK_TOKEN).</p>',
    );
  }
  if (record.sessions.some((session) => session.finishedAt !== null)) {
    return page(400, 'Link complete', '<p class="error">This Link session is already complete.</p>');
  }
  const item = record.updateItemId === null ? undefined : ctx.state.items.get(record.updateItemId);
  if (item?.removed) {
    return page(
      400,
      'Connection removed',
      '<p class="error">This connection was removed (ITEM_NOT_FOUND).</p>',
    );
  }
  if (item?.error && !UPDATE_MODE_REPAIRS.has(item.error.error_code)) {
    return page(
      400,
      'Cannot reconnect',
      `<p class="error">This connection cannot be repaired in update mode (${escapeHtml(item.error.error_code)}); link it again as a new connection.</p>`,
    );
  }
  return { record, item };
}

function isLaunch(value: HostedLaunch | MockResponse): value is HostedLaunch {
  return 'record' in value;
}

function loginForm(req: MockRequest, launch: HostedLaunch, error?: string): MockResponse {
  const { record, item } = launch;
  const institutionField = item
    ? `<p>Sign in to <strong>${escapeHtml(institutionOf(item).name)}</strong> again to keep ${escapeHtml(record.clientName)} connected.</p>`
    : `<label for="institution_id">Institution</label><select id="institution_id" name="institution_id">${SANDBOX_INSTITUTIONS.filter(
        (institution) => record.products.every((product) => institution.products.includes(product)),
      )
        .map(
          (institution) =>
            `<option value="${escapeHtml(institution.institution_id)}">${escapeHtml(institution.name)}</option>`,
        )
        .join('')}</select>`;
  const newAccounts =
    item && record.accountSelectionEnabled && item.newAccounts.length > 0
      ? `<p>New accounts will be shared: ${item.newAccounts.map((account) => `${escapeHtml(account.name)} (…${escapeHtml(account.mask)})`).join(', ')}.</p>`
      : '';
  return page(
    error ? 400 : 200,
    item ? 'Reconnect your account' : `Connect your account to ${record.clientName}`,
    `${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${HOSTED_LINK_PATH}/${escapeHtml(req.params.id ?? '')}">
${institutionField}${newAccounts}
<label for="username">Username</label><input id="username" name="username" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Continue</button>
</form>
<p class="hint">Sandbox credentials: username <code>${SANDBOX_USERNAME}</code>, password <code>${SANDBOX_PASSWORD}</code>.</p>`,
  );
}

function newSession(ctx: Ctx, record: LinkTokenRecord): LinkSession {
  const session: LinkSession = {
    linkSessionId: randomBytes(16).toString('hex'),
    startedAt: ctx.clock.now(),
    finishedAt: null,
    publicToken: null,
    itemId: null,
  };
  record.sessions.push(session);
  return session;
}

/** Update mode: the Item's login works again and, with account selection, its new accounts are shared. */
function repair(record: LinkTokenRecord, item: PlaidItem): void {
  item.error = null;
  item.consentExpirationTime = null;
  item.pendingDisconnect = null;
  if (record.accountSelectionEnabled) {
    item.accounts.push(...item.newAccounts);
    item.newAccounts = [];
  }
}

function submit(req: MockRequest, ctx: Ctx): MockResponse {
  const launch = launchFor(req, ctx);
  if (!isLaunch(launch)) return launch;
  const form = req.form();
  if (form.get('username') !== SANDBOX_USERNAME || form.get('password') !== SANDBOX_PASSWORD) {
    return loginForm(
      req,
      launch,
      'The provided credentials were not correct. Please try again. (INVALID_CREDENTIALS)',
    );
  }
  const { record } = launch;
  const session = newSession(ctx, record);
  let item = launch.item;
  if (item) {
    repair(record, item);
  } else {
    // Without a choice (a plain form post of just the credentials), Plaid's Sandbox bank First Platypus Bank.
    const institution = findInstitution(form.get('institution_id') ?? DEFAULT_INSTITUTION_ID);
    if (!institution) return loginForm(req, launch, 'Choose one of the listed institutions.');
    item = createItem(ctx, {
      institution,
      products: record.products,
      webhook: record.webhook,
      userToken: record.userToken,
    });
    session.publicToken = issuePublicToken(ctx, item);
  }
  session.itemId = item.itemId;
  session.finishedAt = ctx.clock.now();
  if (record.completionRedirectUri) {
    return { status: 302, headers: { location: record.completionRedirectUri, 'cache-control': 'no-store' } };
  }
  return page(
    200,
    'Success',
    `<p>Your account is connected to ${escapeHtml(record.clientName)}. You can close this page.</p>`,
  );
}

export const hostedLinkRoutes: RouteDefinition<PlaidMockState>[] = [
  {
    method: 'GET',
    path: `${HOSTED_LINK_PATH}/:id`,
    handler(req, ctx) {
      const launch = launchFor(req, ctx);
      return isLaunch(launch) ? loginForm(req, launch) : launch;
    },
  },
  { method: 'POST', path: `${HOSTED_LINK_PATH}/:id`, handler: submit },
];
