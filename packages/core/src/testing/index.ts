import 'reflect-metadata';

export type { ExampleKit, ExampleKitOptions } from './example-kit.js';
export {
  createExampleKit,
  TEST_SECRET_BOX,
  TEST_STATE_SIGNING_KEY,
  TEST_WEBHOOK_SECRET,
} from './example-kit.js';
export type {
  ExampleAccount,
  ExampleAccountStatus,
  ExampleGrant,
  ExampleProviderOptions,
  ExampleWebhookEvent,
} from './example-provider.js';
export {
  EXAMPLE_PROVIDER_ID,
  EXAMPLE_SIGNATURE_HEADER,
  EXAMPLE_TIMESTAMP_HEADER,
  ExampleApiError,
  ExampleProvider,
  ExampleVendor,
  exampleExpiryWarning,
  mapExampleStatus,
  signExampleWebhook,
} from './example-provider.js';
export { busiestSecond } from './rate.js';
