// Core's entry loads reflect-metadata, which tsyringe needs before anything imports it.
import '@reconnect-kit/core';

export type { Detection, ScenarioCatalogue, ScenarioEntry } from './catalogue.js';
export {
  DETECTION_CAPABILITY,
  jsonSchemaProblems,
  parseScenarioCatalogue,
  scenarioCatalogueJsonSchema,
  scenarioCatalogueSchema,
} from './catalogue.js';
export { describeProviderConformance } from './describe.js';
export { CapturingLogger } from './harness/capturing-logger.js';
export { CONFORMANCE_START } from './harness/host.js';
export type { MockEnv, ScenarioRun } from './harness/mock-admin.js';
export { mockAdmin, mockEnv } from './harness/mock-admin.js';
export type { Delivery, WebhookReceiver } from './harness/webhook-receiver.js';
export { startWebhookReceiver } from './harness/webhook-receiver.js';
export type {
  ConfigSchemaLike,
  ConformanceHooks,
  MockStarter,
  ProviderConformanceOptions,
  ProviderSetup,
  RunningMock,
  SeededConnection,
} from './options.js';
export { DEFAULT_REDIRECT_URI } from './options.js';
export type { ConformanceRule } from './rules/rule.js';
export type { ConformanceSuite } from './suite.js';
export { createConformanceSuite } from './suite.js';
export { ConformanceViolation } from './violation.js';
