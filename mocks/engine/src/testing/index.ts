/**
 * `@reconnect-kit/mock-engine/testing`: helpers for tests against a mock server (no test runner needed). The
 * engine's own test harness and test provider stay unpublished.
 */
export type {
  MockWithReceiver,
  ReceivedWebhook,
  ReceiverBehaviour,
  WebhookReceiver,
  WebhookReceiverOptions,
} from './webhook-receiver.js';
export { mockWithReceiver, startWebhookReceiver } from './webhook-receiver.js';
