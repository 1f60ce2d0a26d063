/**
 * The API keys the mock accepts, under Plaid's own names (the Dashboard's `client_id` and the Sandbox `secret`),
 * overridable by environment variables. Plaid has no webhook secret: webhooks are signed with Plaid's own keys.
 */
export const PLAID_DEFAULT_CREDENTIALS = {
  client_id: '5f2a9c3e7b1d4a6f8e0c2b4d',
  secret: 'c3f1e9a7b5d2046e8f1a3c5b7d9e0f',
} as const;

export const PLAID_CREDENTIAL_ENV = {
  client_id: 'PLAID_MOCK_CLIENT_ID',
  secret: 'PLAID_MOCK_SECRET',
} as const;
