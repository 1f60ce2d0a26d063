import { isReconnectKitError, type ReconnectKitError } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { finchConfigSchema, parseFinchConfig } from './config.js';
import { CLIENT_SECRET, testConfig } from './finch.test-helpers.js';

function configError(input: unknown): ReconnectKitError {
  try {
    parseFinchConfig(input);
  } catch (error) {
    if (isReconnectKitError(error, 'config_invalid')) return error;
    throw error;
  }
  throw new Error('expected config_invalid');
}

describe('Finch config', () => {
  it('applies the documented defaults', () => {
    const { baseUrl: _baseUrl, maxRetries: _maxRetries, ...minimal } = testConfig();
    expect(parseFinchConfig(minimal)).toMatchObject({
      baseUrl: 'https://api.tryfinch.com',
      maxRetries: 2,
    });
    expect(finchConfigSchema.parse(minimal).products).toBeUndefined();
  });

  it('accepts a list of webhook secrets for rotation', () => {
    const config = parseFinchConfig(
      testConfig({
        webhookSecret: ['5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH', 'bUZ4dGJ3bXlyb3RhdGVkc2VjcmV0MjAyNjExMjM='],
      }),
    );
    expect(config.webhookSecret).toHaveLength(2);
  });

  it.each([
    ['clientId', { clientId: '' }],
    ['clientSecret', { clientSecret: undefined }],
    ['redirectUri', { redirectUri: 'not a url' }],
    ['webhookSecret', { webhookSecret: 'whsec_not-base64!' }],
    ['webhookSecret.1', { webhookSecret: ['5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH', 'whsec_x'] }],
    ['baseUrl', { baseUrl: 'api.tryfinch.com' }],
    ['products.0', { products: ['payroll'] }],
    ['minutesToExpire', { minutesToExpire: 43_201 }],
    ['maxRetries', { maxRetries: -1 }],
  ])('names the bad field %s', (field, change) => {
    const error = configError({ ...testConfig(), ...change });
    expect(error.details.field).toBe(`finch.${field}`);
    expect(error.message).toContain(`"finch.${field}"`);
  });

  it.each([
    ['reconnectMode', 'authorize_url', 'retired static Connect URLs'],
    ['reconnectMode', 'reauthenticate_session', 'always open a reauthentication session'],
    ['connectUrl', 'https://connect.tryfinch.com', 'connect_url'],
  ])('refuses the removed option %s (%s) and says why', (field, value, why) => {
    const error = configError({ ...testConfig(), [field]: value });
    expect(error.details.field).toBe(`finch.${field}`);
    expect(error.message).toContain(why);
  });

  it('names an unknown key', () => {
    const error = configError({ ...testConfig(), clientSecrt: 'typo' });
    expect(error.details.field).toBe('finch.clientSecrt');
    expect(error.message).toContain('clientSecrt');
  });

  it('never echoes a secret value in the error', () => {
    const error = configError({ ...testConfig(), webhookSecret: CLIENT_SECRET });
    expect(error.message).not.toContain(CLIENT_SECRET);
    expect(JSON.stringify(error)).not.toContain(CLIENT_SECRET);
  });
});
