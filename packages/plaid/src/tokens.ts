/** DI token for the validated Plaid config (`registerPlaid` registers it). */
export const PLAID_CONFIG = Symbol.for('reconnect-kit.PlaidConfig');
