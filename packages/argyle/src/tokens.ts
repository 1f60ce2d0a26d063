/** DI token for the validated Argyle configuration (`ResolvedArgyleConfig`). */
export const ARGYLE_CONFIG = Symbol.for('reconnect-kit.argyle.Config');
