/**
 * The credentials the Finch mock accepts by default, under Finch's own names. Override them with CLI flags,
 * `startFinchMock({ credentials })` or the environment variables below.
 */
export const FINCH_DEFAULT_CREDENTIALS = {
  client_id: '8d2f1c4e-6a3b-4f5d-9e7c-1b2a3c4d5e6f',
  client_secret: 'finch-mock-sandbox-client-secret',
  // Plain base64 (no prefix), as Finch issues them: the official SDK rejects secrets that do not round-trip.
  webhook_secret: 'cmVjb25uZWN0LWtpdC1maW5jaC1tb2NrLXdlYmhvb2sta2V5ISEhIQ==',
} as const;

export const FINCH_CREDENTIAL_ENV = {
  client_id: 'FINCH_MOCK_CLIENT_ID',
  client_secret: 'FINCH_MOCK_CLIENT_SECRET',
  webhook_secret: 'FINCH_MOCK_WEBHOOK_SECRET',
} as const;
