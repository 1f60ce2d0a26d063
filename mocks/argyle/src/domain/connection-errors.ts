/** API messages for the connection error codes the mock produces (clients key on `error_code`, never the message). */
export const CONNECTION_ERROR_MESSAGES = {
  auth_required: 'The account was logged out by the payroll system. The user needs to reconnect.',
  expired_credentials: 'The payroll system requires the user to reset their password.',
  invalid_credentials: 'The username or password is incorrect.',
  mfa_timeout: 'The user did not complete multi-factor authentication in time.',
  ongoing_refresh_disabled:
    'Ongoing refresh was disabled for this account. The user can reconnect to resume data refreshes.',
  system_error:
    'Argyle encountered a problem connecting to this account. Our team has been notified and is investigating.',
} as const;

export type MockConnectionErrorCode = keyof typeof CONNECTION_ERROR_MESSAGES;
