/**
 * HTML of the mock Link page: plain server-rendered forms (no JavaScript), so it works in a browser and with plain
 * HTTP form posts. Every input has a label, errors are announced (`role="alert"`) and tied to their form
 * (`aria-describedby`), and every action is a real `<button>`. All dynamic text goes through `escapeHtml`.
 */
import { SANDBOX_PASSWORD, SANDBOX_USERS, type SandboxItem } from '../domain/sandbox.js';
import { LINK_PATH, sharePath } from './paths.js';

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** What every form posts back so the next step knows who is in Link and where to return. */
export interface SessionFields {
  readonly userToken: string;
  readonly inviteId?: string | undefined;
  /** Set when Link was opened through the user's shareable URL. */
  readonly shareId?: string | undefined;
  readonly redirectUri?: string | undefined;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1b1b1f}
label{display:block;margin-top:.75rem;font-weight:600}input,select{display:block;width:100%;padding:.5rem;margin-top:.25rem;box-sizing:border-box}
button{margin-top:1rem;padding:.6rem 1rem;font-size:1rem;cursor:pointer}.error{color:#a4000f;border-left:4px solid #a4000f;padding:.5rem}
.status{font-weight:600}ul{padding-left:1.2rem}`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Argyle Link (mock)</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p>Argyle Link · sandbox mock</p>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

function hidden(name: string, value: string | undefined): string {
  return value === undefined ? '' : `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

function sessionInputs(session: SessionFields): string {
  return [
    hidden('user_token', session.userToken),
    hidden('invite', session.inviteId),
    hidden('share', session.shareId),
    hidden('redirect_uri', session.redirectUri),
  ].join('');
}

/** A one-button form posting the session to a Link action. */
function actionForm(session: SessionFields, action: string, label: string, extra = ''): string {
  return `<form method="post" action="${LINK_PATH}/${action}">${sessionInputs(session)}${extra}<button type="submit">${escapeHtml(label)}</button></form>`;
}

function alert(id: string, message: string | undefined): string {
  return message === undefined ? '' : `<p id="${id}" class="error" role="alert">${escapeHtml(message)}</p>`;
}

function linkUrl(session: SessionFields, accountId?: string): string {
  const query = new URLSearchParams({ user_token: session.userToken });
  if (session.inviteId) query.set('invite', session.inviteId);
  if (session.shareId) query.set('share', session.shareId);
  if (session.redirectUri) query.set('redirect_uri', session.redirectUri);
  if (accountId) query.set('account_id', accountId);
  return `${LINK_PATH}?${query.toString()}`;
}

export function errorScreen(errorType: string, message: string): string {
  return page(
    'Link could not open',
    `<p class="error" role="alert">${escapeHtml(message)}</p><p>Error type: <code id="error-type">${escapeHtml(errorType)}</code></p>`,
  );
}

export interface LoginScreenInput {
  readonly session: SessionFields;
  /** The items the user may pick; one item = direct login. */
  readonly items: readonly SandboxItem[];
  /** Set when re-entering credentials for an existing account. */
  readonly accountId?: string | undefined;
  readonly error?: { readonly code: string; readonly message: string } | undefined;
  readonly username?: string | undefined;
  readonly title?: string;
}

function itemField(items: readonly SandboxItem[]): string {
  if (items.length === 1) {
    const item = items[0]!;
    return `<p>Payroll provider: <strong>${escapeHtml(item.name)}</strong></p>${hidden('item', item.id)}`;
  }
  const options = items
    .map((item) => `<option value="${escapeHtml(item.id)}">${escapeHtml(item.name)}</option>`)
    .join('');
  return `<label for="item">Payroll provider</label><select id="item" name="item" required>${options}</select>`;
}

function loginForm(input: LoginScreenInput): string {
  const describedBy = input.error ? ' aria-describedby="login-error"' : '';
  const helpItem = input.items.length === 1 ? `?item=${encodeURIComponent(input.items[0]!.id)}` : '';
  return `${alert('login-error', input.error?.message)}${input.error ? `<p>Error code: <code id="error-code">${escapeHtml(input.error.code)}</code></p>` : ''}
<form method="post" action="${LINK_PATH}/login"${describedBy}>
${sessionInputs(input.session)}${hidden('account_id', input.accountId)}
${itemField(input.items)}
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(input.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
<p><a href="${LINK_PATH}/login-help${helpItem}">Need help logging in?</a></p>
${sandboxLogins()}`;
}

/** Argyle's sandbox Link lists its sample logins under the form; so does the mock (with each one's data). */
function sandboxLogins(): string {
  const rows = SANDBOX_USERS.map(
    (user) =>
      `<tr><td><code>${escapeHtml(user.username)}</code></td><td><code>${escapeHtml(SANDBOX_PASSWORD)}</code></td><td><code>${escapeHtml(user.mfaCode)}</code></td><td>${escapeHtml(`${user.name} ${user.lastName}, paid ${user.payFrequency}`)}</td></tr>`,
  ).join('');
  return `<details id="sandbox-logins"><summary>Sandbox credentials</summary>
<table><thead><tr><th scope="col">Username</th><th scope="col">Password</th><th scope="col">MFA code</th><th scope="col">Data</th></tr></thead><tbody>${rows}</tbody></table>
<p>Any other password fails with <code>invalid_credentials</code>. Gig Items give gig data (gigs, shifts, vehicle, rating).</p></details>`;
}

export function loginScreen(input: LoginScreenInput): string {
  return page(input.title ?? 'Log in to your payroll account', loginForm(input));
}

export interface ConnectionSummary {
  readonly id: string;
  readonly employer: string;
  readonly status: string;
}

export function homeScreen(
  session: SessionFields,
  connections: readonly ConnectionSummary[],
  items: readonly SandboxItem[],
  baseUrl: string,
): string {
  const share = session.shareId
    ? `<p>Your personal Link: <a id="shareable-url" href="${escapeHtml(sharePath(session.shareId))}">${escapeHtml(`${baseUrl}${sharePath(session.shareId)}`)}</a>. Come back through it any time to manage your connections.</p>`
    : '';
  const list =
    connections.length === 0
      ? '<p>No connections yet.</p>'
      : `<ul>${connections
          .map(
            (connection) =>
              `<li><a href="${escapeHtml(linkUrl(session, connection.id))}">${escapeHtml(connection.employer)}</a> · <span class="status">${escapeHtml(connection.status)}</span></li>`,
          )
          .join('')}</ul>`;
  return page(
    'Connect your payroll account',
    `${share}<section aria-labelledby="connections-title"><h2 id="connections-title">Your connections</h2>${list}</section>
<section aria-labelledby="new-title"><h2 id="new-title">Add a connection</h2>${loginForm({ session, items })}</section>
${responseForm(session)}`,
  );
}

/** Link's fallback when the user cannot find their employer or payroll provider: a user form. */
function responseForm(session: SessionFields): string {
  return `<section aria-labelledby="form-title"><h2 id="form-title">Can't find your employer?</h2>
<form method="post" action="${LINK_PATH}/user-form">${sessionInputs(session)}
<label for="income_source">Income source</label>
<input id="income_source" name="income_source" required>
<label for="payroll_provider">Payroll provider (optional)</label>
<input id="payroll_provider" name="payroll_provider">
<button type="submit">Submit</button>
</form></section>`;
}

export function formSubmittedScreen(input: { readonly accountId: string; readonly formId: string }): string {
  return page(
    'Thank you! Your form was submitted',
    `<dl><dt>Account id</dt><dd id="account-id">${escapeHtml(input.accountId)}</dd><dt>User form id</dt><dd id="user-form-id">${escapeHtml(input.formId)}</dd></dl>
<p>You can close this window.</p>`,
  );
}

export function mfaScreen(
  session: SessionFields,
  challengeId: string,
  employer: string,
  sandboxCode: string | undefined,
  error?: string,
): string {
  const describedBy = error ? ' aria-describedby="mfa-error"' : '';
  const hint =
    sandboxCode === undefined
      ? ''
      : `<p id="sandbox-mfa">Sandbox: this login accepts the code <code>${escapeHtml(sandboxCode)}</code>.</p>`;
  return page(
    'Enter your verification code',
    `<p>${escapeHtml(employer)} sent a verification code to your phone.</p>${hint}${alert('mfa-error', error)}
<form method="post" action="${LINK_PATH}/mfa"${describedBy}>
${sessionInputs(session)}${hidden('challenge', challengeId)}
<label for="code">Verification code</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
<button type="submit">Submit</button>
</form>`,
  );
}

export interface AccountScreenInput {
  readonly session: SessionFields;
  readonly accountId: string;
  readonly employer: string;
  readonly status: string;
  readonly errorCode: string | null;
  readonly message: string;
  readonly canReconnect: boolean;
  /** An interrupted connection (still `connecting`) can be continued. */
  readonly canResume: boolean;
}

export function accountScreen(input: AccountScreenInput): string {
  const accountField = hidden('account_id', input.accountId);
  const reconnect = input.canReconnect
    ? actionForm(input.session, 'reconnect', 'Reconnect', accountField)
    : '';
  const resume = input.canResume
    ? actionForm(input.session, 'resume', 'Continue connecting', accountField)
    : '';
  const code = input.errorCode ? ` (<code id="error-code">${escapeHtml(input.errorCode)}</code>)` : '';
  return page(
    input.employer,
    `<p>Status: <span class="status" id="connection-status">${escapeHtml(input.status)}</span>${code}</p>
<p>${escapeHtml(input.message)}</p>
${reconnect}${resume}
${actionForm(input.session, 'revoke', 'Revoke access', accountField)}
<p><a href="${escapeHtml(linkUrl(input.session))}">Your connections</a></p>`,
  );
}

/** The revoke form shown under a credentials form for an existing account. */
function revokeForm(session: SessionFields, accountId: string): string {
  return actionForm(session, 'revoke', 'Revoke access', hidden('account_id', accountId));
}

export function credentialsScreen(input: LoginScreenInput & { readonly accountId: string }): string {
  return page(
    input.title ?? 'Log in again',
    `${loginForm(input)}${revokeForm(input.session, input.accountId)}<p><a href="${escapeHtml(linkUrl(input.session))}">Your connections</a></p>`,
  );
}

export function successScreen(input: {
  readonly employer: string;
  readonly accountId: string;
  readonly userId: string;
  readonly returnUrl?: string | undefined;
}): string {
  const back = input.returnUrl
    ? `<p><a id="return-link" href="${escapeHtml(input.returnUrl)}">Return to the app</a></p>`
    : '<p>You can close this window.</p>';
  return page(
    'Success! Your account is connected',
    `<p role="status">${escapeHtml(input.employer)} is connected.</p>
<dl><dt>Account id</dt><dd id="account-id">${escapeHtml(input.accountId)}</dd><dt>User id</dt><dd id="user-id">${escapeHtml(input.userId)}</dd></dl>
${back}`,
  );
}

export function revokedScreen(session: SessionFields, employer: string): string {
  return page(
    'Access revoked',
    `<p role="status">${escapeHtml(employer)} is no longer connected. Its data was deleted.</p>
<p><a href="${escapeHtml(linkUrl(session))}">Your connections</a></p>`,
  );
}

export function loginHelpScreen(item: SandboxItem | undefined): string {
  const site = item ? escapeHtml(item.name) : 'your payroll provider';
  return page(
    'Need help logging in?',
    `<p>Reset your username or password on ${site}'s website, then go back to Link and log in with the new credentials.</p>
<p>Sandbox logins: <code>test_1</code>, <code>test_2</code>, <code>test_3</code> with password <code>passgood</code>.</p>`,
  );
}
