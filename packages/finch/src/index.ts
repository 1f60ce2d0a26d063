export type { FinchErrorFacts } from './classify-error.js';
export { classifyFinchErrorFacts, readFinchErrorFacts } from './classify-error.js';
export type { FinchConfig, FinchConfigInput, FinchProduct } from './config.js';
export { finchConfigSchema, MAX_SESSION_MINUTES, parseFinchConfig } from './config.js';
export type { FinchConnectSession, FinchConnectSessionRequest } from './finch-provider.js';
export {
  FINCH_ACCESS_TOKEN_SECRET,
  FINCH_PROVIDER_ID,
  FinchProvider,
  NEW_SESSION_DEFAULT_MINUTES,
} from './finch-provider.js';
export type { FinchIntrospectionFacts } from './introspection.js';
export { signalForIntrospection } from './introspection.js';
export type { FinchJobFacts } from './job-results.js';
export { classifyFinchJob, readFinchJob } from './job-results.js';
export type { ErrorReporter } from './reauth-reporting.js';
export { withReauthReporting } from './reauth-reporting.js';
export { registerFinch } from './register.js';
export type { FinchConnectionStatus } from './status-table.js';
export { FINCH_CONNECTION_STATUSES, FINCH_STATUS_TABLE, signalForFinchStatus } from './status-table.js';
export { FINCH_CONFIG } from './tokens.js';
export { parseFinchWebhook } from './webhook-events.js';
export type { FinchWebhookHeaders } from './webhook-signature.js';
export {
  FINCH_WEBHOOK_HEADERS,
  verifyFinchSignature,
  WEBHOOK_TOLERANCE_SECONDS,
} from './webhook-signature.js';
