export type { ScenarioListing } from './admin/scenario-registry.js';
export type { CatalogueCheck, ScenarioCatalogue, ScenarioCatalogueEntry } from './catalogue.js';
export {
  assertScenarioCatalogue,
  checkScenarioCatalogue,
  findFixturesDir,
  loadScenarioCatalogue,
} from './catalogue.js';
export { CliError } from './cli/cli-error.js';
export type { AnyMockProviderDefinition } from './cli/load-provider.js';
export type { CliIo, DefinitionRegistry, DefinitionSource } from './cli/run-cli.js';
export { runCli } from './cli/run-cli.js';
export type { MockClockSnapshot } from './clock.js';
export { MockClock } from './clock.js';
export type { CredentialSources } from './credentials.js';
export { resolveCredentials, secretsEqual } from './credentials.js';
export type { ActiveFault, FaultSpec } from './faults.js';
export type { HeaderSource, IncomingCall } from './http/incoming-call.js';
export { MockHttpError } from './http/mock-http-error.js';
export type { PipelineResult } from './http/pipeline-result.js';
export { empty, html, json, redirect } from './http/responses.js';
export type { HandleOptions, MockInstance, MockInstanceOptions } from './instance.js';
export { createMockInstance, DEFAULT_MAX_BODY_BYTES, defineMockProvider } from './instance.js';
export type { JournalFilter, JournalRecord } from './journal/request-journal.js';
export { createMswHandlers } from './msw.js';
export type { RunningMockServer, ServeOptions, StartMockServerOptions } from './server.js';
export { createExpressMiddleware, serveMockInstance, startMockServer } from './server.js';
export type {
  EngineErrorInput,
  HttpMethod,
  MockClockView,
  MockConfig,
  MockContext,
  MockProviderDefinition,
  MockRequest,
  MockResponse,
  QueuedWebhook,
  RouteDefinition,
  ScenarioDefinition,
  ScenarioResult,
  WebhookEnqueueInput,
  WebhookScheme,
  WebhookSignInput,
  WebhookTarget,
} from './types.js';
export type { DeliveryAttempt, DeliveryRecord, DeliveryStatus } from './webhooks/dispatcher.js';
export type { RetryPolicy, WebhookSettings, WebhookSwitch, WebhookSwitches } from './webhooks/settings.js';
