export type { PlaidConfig, PlaidConfigInput } from './config.js';
export { PLAID_BASE_URLS, parsePlaidConfig, plaidConfigSchema } from './config.js';
export { PLAID_ERROR_TABLE } from './item-errors.js';
export {
  PLAID_ACCESS_TOKEN_SECRET,
  PLAID_API_VERSION,
  PLAID_PROVIDER_ID,
  PlaidProvider,
} from './provider.js';
export { registerPlaid } from './register.js';
export { PLAID_CONFIG } from './tokens.js';
