/** Plays the end user on the Argyle mock's Link page with plain HTTP form posts, as a browser would. */
import type { CallbackParams } from '@reconnect-kit/core';

const decodeEntities = (value: string) =>
  value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

export interface LinkPage {
  readonly url: URL;
  readonly status: number;
  readonly html: string;
}

async function load(url: URL, init?: RequestInit): Promise<LinkPage> {
  const response = await fetch(url, init);
  return { url, status: response.status, html: await response.text() };
}

/** The hidden and prefilled fields of the form posting to `/link/<action>`, or undefined if the page has none. */
function formFields(page: LinkPage, action: string): URLSearchParams | undefined {
  const form = page.html.match(
    new RegExp(`<form method="post" action="/link/${action}"[^>]*>([\\s\\S]*?)</form>`),
  );
  if (!form) return undefined;
  const fields = new URLSearchParams();
  for (const input of (form[1] ?? '').matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.set(decodeEntities(input[1] ?? ''), decodeEntities(input[2] ?? ''));
  }
  return fields;
}

/** Posts the page's `/link/<action>` form with `extra` fields; fails the test if the page has no such form. */
async function submit(page: LinkPage, action: string, extra: Record<string, string> = {}): Promise<LinkPage> {
  const fields = formFields(page, action);
  if (!fields) throw new Error(`no /link/${action} form on the page (${page.status}):\n${page.html}`);
  for (const [name, value] of Object.entries(extra)) fields.set(name, value);
  return load(new URL(`/link/${action}`, page.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
  });
}

export const openLink = (linkUrl: string) => load(new URL(linkUrl));
export const hasForm = (page: LinkPage, action: string) => formFields(page, action) !== undefined;
export const pressReconnect = (page: LinkPage) => submit(page, 'reconnect');
/** Logs in on the page's login form; `item` is needed where Link shows a provider list instead of one item. */
export const logIn = (page: LinkPage, username: string, password: string, item?: string) =>
  submit(page, 'login', { username, password, ...(item ? { item } : {}) });
export const enterMfa = (page: LinkPage, code: string) => submit(page, 'mfa', { code });
/** "Continue connecting" on an account left at its MFA step (still `connecting`). */
export const continueConnecting = (page: LinkPage) => submit(page, 'resume');

/** Follows the "Your connections" entry for `accountId` on Link's home screen (invite and returning users). */
export function openConnection(page: LinkPage, accountId: string): Promise<LinkPage> {
  const href = [...page.html.matchAll(/<li><a href="([^"]+)">/g)]
    .map((m) => decodeEntities(m[1] ?? ''))
    .find((candidate) => new URL(candidate, page.url).searchParams.get('account_id') === accountId);
  if (!href) throw new Error(`no connection ${accountId} on the page (${page.status}):\n${page.html}`);
  return load(new URL(href, page.url));
}

/** The account id shown on Link's success screen. */
export function connectedAccountId(page: LinkPage): string {
  const id = page.html.match(/<dd id="account-id">([^<]+)<\/dd>/)?.[1];
  if (!id) throw new Error(`no account id on the page (${page.status}):\n${page.html}`);
  return decodeEntities(id);
}

/** The "Return to the app" link of Link's success screen (the host callback with `account_id`, `user_id`). */
export function returnUrl(page: LinkPage): URL {
  const href = page.html.match(/<a id="return-link" href="([^"]+)"/)?.[1];
  if (!href) throw new Error(`no return link on the page (${page.status}):\n${page.html}`);
  return new URL(decodeEntities(href));
}

/** The error code Link shows on its login form (`<code id="error-code">`). */
export const shownErrorCode = (page: LinkPage) =>
  page.html.match(/<code id="error-code">([^<]+)<\/code>/)?.[1];

/** The host callback's query as `completeReconnection` takes it; fails if Link dropped the signed `state`. */
export function callbackParams(url: URL): CallbackParams {
  const state = url.searchParams.get('state');
  if (!state) throw new Error(`the callback URL has no state: ${url}`);
  return { ...Object.fromEntries(url.searchParams), state };
}
