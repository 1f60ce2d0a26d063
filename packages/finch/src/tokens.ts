/** DI token for the validated Finch config (`registerFinch` registers it). */
export const FINCH_CONFIG = Symbol.for('reconnect-kit.FinchConfig');
