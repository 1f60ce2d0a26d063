/**
 * The host's own vendor calls for a brand-new connection ("Connect again" after a revocation). Reconnecting an
 * existing connection goes through Reconnect Kit; creating a new one is the host's first-connect flow, which the
 * kit does not own (the Finch Connect session itself comes from the adapter's `openConnectSession`).
 */

export interface ArgyleApi {
  /** API root ending in `/v2`. */
  readonly baseUrl: string;
  readonly apiKeyId: string;
  readonly apiKeySecret: string;
}

export interface FinchApi {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface PlaidApi {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly secret: string;
}

const FINCH_API_VERSION = '2020-09-17';

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The vendor answered with an error status (the body may echo request fields: only the status and path are kept). */
export class VendorCallError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
  ) {
    super(`${path} answered ${status}`);
    this.name = 'VendorCallError';
  }
}

async function postJson(url: string, headers: Record<string, string>, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new VendorCallError(new URL(url).pathname, response.status);
  return response.json();
}

function stringField(value: unknown, field: string): string {
  const found = (value as Record<string, unknown> | null)?.[field];
  if (typeof found !== 'string' || found === '') throw new Error(`the vendor response has no "${field}"`);
  return found;
}

/** A fresh Argyle user token for an existing Argyle user, so Link opens for that user (`POST /v2/user-tokens`). */
export async function createArgyleUserToken(api: ArgyleApi, argyleUserId: string): Promise<string> {
  const body = await postJson(
    `${api.baseUrl}/user-tokens`,
    { authorization: basic(api.apiKeyId, api.apiKeySecret) },
    { user: argyleUserId },
  );
  return stringField(body, 'user_token');
}

export interface ArgyleAccount {
  /** The employer as Argyle names it (the account's first `employers` entry). */
  readonly employer: string | undefined;
  /** The Link item the account was connected through (`item_…`). */
  readonly item: string;
  /** The Argyle user the account belongs to. */
  readonly user: string;
}

/** Reads one account (`GET /v2/accounts/{id}`): which employer and Link item the user actually connected. */
export async function getArgyleAccount(api: ArgyleApi, accountId: string): Promise<ArgyleAccount> {
  const url = `${api.baseUrl}/accounts/${encodeURIComponent(accountId)}`;
  const response = await fetch(url, {
    headers: { accept: 'application/json', authorization: basic(api.apiKeyId, api.apiKeySecret) },
  });
  if (!response.ok) throw new Error(`${new URL(url).pathname} answered ${response.status}`);
  const body = (await response.json()) as { employers?: unknown };
  const employer = Array.isArray(body.employers) ? body.employers[0] : undefined;
  return {
    employer: typeof employer === 'string' ? employer : undefined,
    item: stringField(body, 'item'),
    user: stringField(body, 'user'),
  };
}

export interface FinchToken {
  readonly accessToken: string;
  readonly connectionId: string;
  readonly companyId: string;
}

/** Exchanges a Connect code once (`POST /auth/token`). */
export async function exchangeFinchCode(
  api: FinchApi,
  code: string,
  redirectUri: string,
): Promise<FinchToken> {
  const body = await postJson(
    `${api.baseUrl}/auth/token`,
    { 'finch-api-version': FINCH_API_VERSION },
    { client_id: api.clientId, client_secret: api.clientSecret, code, redirect_uri: redirectUri },
  );
  return {
    accessToken: stringField(body, 'access_token'),
    connectionId: stringField(body, 'connection_id'),
    companyId: stringField(body, 'company_id'),
  };
}

const plaidHeaders = (api: PlaidApi) => ({ 'plaid-client-id': api.clientId, 'plaid-secret': api.secret });

/** A new-mode link token on hosted Link (`POST /link/token/create`); returns the token and the page to send the user to. */
export async function createPlaidHostedLink(
  api: PlaidApi,
  input: { clientUserId: string; completionUri: string; webhook: string },
): Promise<{ linkToken: string; url: string }> {
  const body = await postJson(`${api.baseUrl}/link/token/create`, plaidHeaders(api), {
    client_name: 'Paycheck Pal',
    language: 'en',
    country_codes: ['US'],
    user: { client_user_id: input.clientUserId },
    products: ['transactions'],
    webhook: input.webhook,
    hosted_link: { completion_redirect_uri: input.completionUri },
  });
  return { linkToken: stringField(body, 'link_token'), url: stringField(body, 'hosted_link_url') };
}

/** After hosted Link: the session's public token (`POST /link/token/get`), exchanged once for the Item's access token. */
export async function exchangePlaidHostedLink(
  api: PlaidApi,
  linkToken: string,
): Promise<{ itemId: string; accessToken: string }> {
  const session = (await postJson(`${api.baseUrl}/link/token/get`, plaidHeaders(api), {
    link_token: linkToken,
  })) as {
    link_sessions?: { results?: { item_add_results?: { public_token?: string }[] } }[];
  };
  const added = session.link_sessions?.flatMap((s) => s.results?.item_add_results ?? []) ?? [];
  const publicToken = stringField(added.at(-1) ?? null, 'public_token');
  const token = await postJson(`${api.baseUrl}/item/public_token/exchange`, plaidHeaders(api), {
    public_token: publicToken,
  });
  return { itemId: stringField(token, 'item_id'), accessToken: stringField(token, 'access_token') };
}
