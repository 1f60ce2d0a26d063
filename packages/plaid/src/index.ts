export type { PlaidConfig, PlaidConfigInput } from './config.js';
export { parsePlaidConfig, plaidConfigSchema } from './config.js';
export { PLAID_PROVIDER_ID, PlaidProvider } from './provider.js';
export { registerPlaid } from './register.js';
export { PLAID_CONFIG } from './tokens.js';
