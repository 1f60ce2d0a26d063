/**
 * The mock Finch Connect page: plain, accessible HTML forms that work in a browser and with bare form posts.
 * Every value is escaped; hidden fields carry the launch parameters from step to step.
 */
import { SANDBOX_PROVIDERS } from '../domain/providers.js';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function hiddenFields(fields: Record<string, string | null>): string {
  return Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== null)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n      ');
}

function alert(message: string | undefined): string {
  return message ? `<p role="alert" class="error">${escapeHtml(message)}</p>` : '';
}

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} · Finch Connect (mock)</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a2e; }
    label { display: block; margin-top: 1rem; font-weight: 600; }
    input, select, button { font: inherit; width: 100%; padding: .5rem; margin-top: .25rem; box-sizing: border-box; }
    button { margin-top: 1.5rem; background: #3b2cff; color: #fff; border: 0; border-radius: .25rem; cursor: pointer; }
    .error { color: #a4000f; font-weight: 600; }
    .hint { color: #555; font-size: .9rem; }
  </style>
</head>
<body>
  <main>
${content}
  </main>
</body>
</html>
`;
}

export interface LoginPageInput {
  heading: string;
  intro: string;
  /** Fixed provider (re-auth, payroll_provider, integration); otherwise a picker is shown. */
  providerName: string | null;
  carry: Record<string, string | null>;
  products: string[];
  error?: string;
  username?: string;
}

export function loginPage(input: LoginPageInput): string {
  const picker = input.providerName
    ? `<p>Provider: <strong>${escapeHtml(input.providerName)}</strong></p>`
    : `<label for="provider_id">Payroll provider</label>
      <select id="provider_id" name="provider_id" required>
        ${SANDBOX_PROVIDERS.map((p) => `<option value="${p.id}">${escapeHtml(p.displayName)}</option>`).join('\n        ')}
      </select>`;
  return layout(
    input.heading,
    `    <h1>${escapeHtml(input.heading)}</h1>
    <p>${escapeHtml(input.intro)}</p>
    <p class="hint">Requested access: ${escapeHtml(input.products.join(', '))}</p>
    ${alert(input.error)}
    <form method="post" action="authorize" aria-label="Sign in to your payroll provider">
      ${hiddenFields(input.carry)}
      ${picker}
      <label for="username">Username</label>
      <input id="username" name="username" autocomplete="username" required value="${escapeHtml(input.username ?? '')}">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" required>
      <button type="submit">Connect</button>
    </form>
    <p class="hint">Sandbox: username <code>good_user</code>, password <code>good_pass</code> (or <code>mfa</code> for a verification step).</p>`,
  );
}

export function mfaPage(carry: Record<string, string | null>, error?: string): string {
  return layout(
    'Verify it is you',
    `    <h1>Verify it is you</h1>
    <p>Enter the 6-digit code your payroll provider sent you.</p>
    ${alert(error)}
    <form method="post" action="authorize" aria-label="Verification code">
      ${hiddenFields(carry)}
      <label for="mfa_code">Verification code</label>
      <input id="mfa_code" name="mfa_code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>
      <button type="submit">Verify</button>
    </form>
    <p class="hint">Sandbox: the code is <code>123456</code>.</p>`,
  );
}

/** The embedded flow (no redirect_uri): the page shows the code the host would receive from the Connect SDK. */
export function successPage(code: string, state: string | null): string {
  return layout(
    'Connected',
    `    <h1>You're connected</h1>
    <p>Your payroll provider is connected. You can close this window.</p>
    <dl>
      <dt>Authorization code</dt><dd><output id="code">${escapeHtml(code)}</output></dd>
      ${state ? `<dt>State</dt><dd><output id="state">${escapeHtml(state)}</output></dd>` : ''}
    </dl>`,
  );
}

export function errorPage(heading: string, message: string): string {
  return layout(heading, `    <h1>${escapeHtml(heading)}</h1>\n    ${alert(message)}`);
}
