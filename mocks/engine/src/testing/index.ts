/**
 * `@reconnect-kit/mock-engine/testing`: helpers for tests against a mock server (no test runner needed). The
 * engine's own test harness and test provider stay unpublished.
 */
export type {
  ReceivedWebhook,
  ReceiverBehaviour,
  WebhookReceiver,
  WebhookReceiverOptions,
} from './webhook-receiver.js';
export { startWebhookReceiver } from './webhook-receiver.js';
