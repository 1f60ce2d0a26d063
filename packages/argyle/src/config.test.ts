import { isReconnectKitError } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { resolveArgyleConfig } from './config.js';

const valid = {
  apiKeyId: 'key-id',
  apiKeySecret: 'super-secret-api-key',
  environment: 'sandbox',
  webhookSecret: 'super-secret-webhook',
  linkUrl: 'https://link.example.com/argyle',
} as const;

function configError(input: unknown) {
  try {
    resolveArgyleConfig(input);
  } catch (error) {
    if (isReconnectKitError(error, 'config_invalid')) return error;
    throw error;
  }
  throw new Error('expected config_invalid');
}

describe('Argyle config', () => {
  it('resolves the environment presets and an explicit baseUrl (which wins, trailing slash dropped)', () => {
    expect(resolveArgyleConfig(valid).baseUrl).toBe('https://api-sandbox.argyle.com/v2');
    expect(resolveArgyleConfig({ ...valid, environment: 'production' }).baseUrl).toBe(
      'https://api.argyle.com/v2',
    );
    const mock = resolveArgyleConfig({
      ...valid,
      environment: undefined,
      baseUrl: 'http://127.0.0.1:4010/v2/',
    });
    expect(mock.baseUrl).toBe('http://127.0.0.1:4010/v2');
  });

  it('reads shareable URLs from connection metadata by default; another source and key, or none, when configured', () => {
    expect(resolveArgyleConfig(valid).shareableUrls).toEqual({
      source: 'connection_metadata',
      key: 'shareable_url',
    });
    expect(
      resolveArgyleConfig({ ...valid, shareableUrls: { source: 'user_external_metadata' } }).shareableUrls,
    ).toEqual({ source: 'user_external_metadata', key: 'shareable_url' });
    expect(resolveArgyleConfig({ ...valid, shareableUrls: false }).shareableUrls).toBeNull();
  });

  it('accepts one webhook secret or several (rotation)', () => {
    expect(resolveArgyleConfig(valid).webhookSecrets).toEqual(['super-secret-webhook']);
    expect(resolveArgyleConfig({ ...valid, webhookSecret: ['a', 'b'] }).webhookSecrets).toEqual(['a', 'b']);
  });

  it.each([
    ['argyle.apiKeyId', { ...valid, apiKeyId: '' }],
    ['argyle.apiKeySecret', { ...valid, apiKeySecret: undefined }],
    ['argyle.environment', { ...valid, environment: 'staging' }],
    ['argyle.environment', { ...valid, environment: undefined }],
    ['argyle.baseUrl', { ...valid, baseUrl: 'ftp://example.com/v2' }],
    ['argyle.webhookSecret', { ...valid, webhookSecret: [] }],
    ['argyle.linkUrl', { ...valid, linkUrl: 'not a url' }],
    ['argyle.apiKeySecrets', { ...valid, apiKeySecrets: 'typo' }],
    ['argyle.shareableUrls', { ...valid, shareableUrls: { source: 'console' } }],
  ])('names %s when it is bad', (field, input) => {
    const error = configError(input);
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(`"${field}"`);
  });

  it('never puts a secret in an error message or in the serialised config', () => {
    const error = configError({ ...valid, linkUrl: 'nope' });
    expect(JSON.stringify(error)).not.toMatch(/super-secret/);
    expect(error.message).not.toMatch(/super-secret/);
    const resolved = resolveArgyleConfig(valid);
    expect(JSON.stringify(resolved)).not.toMatch(/super-secret/);
    expect(resolved.apiKeySecret).toBe('super-secret-api-key');
  });
});
