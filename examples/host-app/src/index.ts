/** The example host app: `startHostApp` (used by `pnpm dev` and the browser e2e tests) and its building blocks. */
export type { AccountMismatch } from './activity.js';
export { ActivityFeed } from './activity.js';
export type { HostAppOptions, RunningHostApp } from './app.js';
export { startHostApp } from './app.js';
export type { ComposedKit, KitConfig, StoreChoice } from './compose.js';
export { composeReconnectKit } from './compose.js';
export type { SeededConnections } from './demo.js';
export { DEMO_SCENARIOS } from './demo.js';
