import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type CallbackParams,
  type CompleteReconnectionOptions,
  type CompletionOutcome,
  type Connection,
  type IngestResult,
  type ReconnectAction,
  type ReconnectionServiceApi,
  ReconnectKitError,
  type StartReconnectionOptions,
  type StartReconnectionResult,
} from '@reconnect-kit/core';

/** Test-only secrets: every response body in the tests is checked not to contain any of them. */
export const WEBHOOK_SECRET = 'whsec-test-7f3a9c1e';
export const AUTH_CODE = 'code-secret-5b2d8e';
export const USER_TOKEN = 'user-token-secret-91c4';

export function sign(rawBody: Uint8Array): string {
  return createHmac('sha256', WEBHOOK_SECRET).update(rawBody).digest('hex');
}

export function connection(id: string, hostUserId = 'user-1'): Connection {
  return {
    id,
    provider: 'example',
    hostUserId,
    upstreamId: `up-${id}`,
    metadata: {},
    state: 'needs_reauth',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    stateChangedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
  };
}

export const FINCH_STYLE_ACTION = {
  kind: 'redirect',
  url: 'https://connect.example.test/authorize?session=abc',
  state: 'state-1',
  expiresAt: new Date('2026-01-01T00:10:00.000Z'),
} as const satisfies ReconnectAction;

export const WIDGET_ACTION_WITHOUT_URL = {
  kind: 'widget',
  provider: 'example',
  config: { userToken: USER_TOKEN, accountId: 'acc-1' },
  mode: 'one_click',
  expiresAt: new Date('2026-01-01T00:10:00.000Z'),
  state: 'state-2',
} as const satisfies ReconnectAction;

function notUsed(): never {
  throw new Error('the routers do not call this method');
}

/**
 * A small stand-in for `ReconnectionService`, enough to assert the HTTP mapping. Its webhook ingestion checks
 * an HMAC over the exact raw bytes and parses JSON like a real provider would, so a router that altered the
 * bytes fails with 401, and a malformed body with 400. Each behaviour can be replaced per test.
 */
export class FakeReconnectionService implements ReconnectionServiceApi {
  readonly ingestCalls: { provider: string; rawBody: Uint8Array; headers: Headers }[] = [];
  readonly startCalls: { connectionId: string; options: StartReconnectionOptions | undefined }[] = [];
  readonly completeCalls: CallbackParams[] = [];
  readonly completeOptions: (CompleteReconnectionOptions | undefined)[] = [];
  readonly connections = new Map<string, Connection>([['conn-1', connection('conn-1')]]);

  ingest = async (provider: string, rawBody: Uint8Array, headers: Headers): Promise<IngestResult> => {
    if (provider !== 'example') throw new ReconnectKitError('provider_not_registered');
    const expected = Buffer.from(sign(rawBody));
    const given = Buffer.from(headers.get('x-example-signature') ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ReconnectKitError('webhook_signature_invalid');
    }
    try {
      JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
    } catch (cause) {
      throw new ReconnectKitError('webhook_payload_invalid', { cause });
    }
    return { applied: 1, duplicates: 0, ignored: 0, events: [] };
  };

  start = async (connectionId: string): Promise<StartReconnectionResult> => ({
    connection: await this.getConnection(connectionId),
    action: FINCH_STYLE_ACTION,
  });

  complete = async (callback: CallbackParams): Promise<CompletionOutcome> => {
    if (callback.state !== 'state-1') throw new ReconnectKitError('state_invalid');
    return { outcome: 'recovered', connection: { ...connection('conn-1'), state: 'connected' } };
  };

  ingestWebhook(provider: string, rawBody: Uint8Array, headers: Headers): Promise<IngestResult> {
    this.ingestCalls.push({ provider, rawBody, headers });
    return this.ingest(provider, rawBody, headers);
  }

  async getConnection(connectionId: string): Promise<Connection> {
    const found = this.connections.get(connectionId);
    if (found === undefined) throw new ReconnectKitError('connection_not_found');
    return found;
  }

  startReconnection(
    connectionId: string,
    options?: StartReconnectionOptions,
  ): Promise<StartReconnectionResult> {
    this.startCalls.push({ connectionId, options });
    return this.start(connectionId);
  }

  completeReconnection(
    callback: CallbackParams,
    options?: CompleteReconnectionOptions,
  ): Promise<CompletionOutcome> {
    this.completeCalls.push(callback);
    this.completeOptions.push(options);
    return this.complete(callback);
  }

  /** This fake starts no background status reads, so there is never anything to wait for. */
  async settle(): Promise<void> {}

  registerConnection = notUsed;
  listConnections = notUsed;
  reportError = notUsed;
  checkStatus = notUsed;
  sweep = notUsed;
  startSweeper = notUsed;
  pruneHistory = notUsed;
  revoke = notUsed;
  subscribe = notUsed;
  deliverOutbox = notUsed;
  expireReconnectAttempts = notUsed;
  abandonReconnection = notUsed;
  startDispatcher = notUsed;
  stopDispatcher = notUsed;
  rotateSecrets = notUsed;
}

/** A logger that records calls, to prove what is (and is not) logged. */
export function recordingLogger() {
  const entries: { level: string; message: string; fields: Record<string, unknown> | undefined }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      entries.push({ level, message, fields });
    };
  return { entries, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** A promise with its resolve function exposed, to control when the fake service answers. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export function expectNoSecrets(text: string): void {
  for (const secret of [WEBHOOK_SECRET, AUTH_CODE, 'stack', 'cause']) {
    if (text.includes(secret)) throw new Error(`response body leaks "${secret}": ${text}`);
  }
}
