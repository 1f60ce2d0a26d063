import type { Logger, ReconnectionServiceApi } from '@reconnect-kit/core';
import { DEFAULT_MAX_BODY_BYTES, type RawBodySource, tooLarge } from './body.js';
import { methodNotAllowed, toHttpError } from './http-error.js';
import { errorAnswer, type JsonAnswer, jsonAnswer } from './responses.js';

export interface WebhookHandlerOptions {
  /** Largest accepted body in bytes (default 1 MiB). Larger bodies get 413 without reaching the service. */
  readonly maxBodyBytes?: number | undefined;
  /** Receives rejected and failed deliveries (code, provider); never bodies or headers. */
  readonly logger?: Logger | undefined;
}

/** The body of a 200 answer: the event is stored, so the vendor must not retry it. */
export interface WebhookReceipt {
  readonly received: true;
  readonly applied: number;
  readonly duplicates: number;
  readonly ignored: number;
}

export interface WebhookDelivery {
  readonly method: string;
  readonly provider: string;
  readonly headers: Headers;
  readonly body: RawBodySource;
}

export function resolveMaxBodyBytes(options: WebhookHandlerOptions): number {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new RangeError(`maxBodyBytes must be a positive integer, got ${String(limit)}.`);
  }
  return limit;
}

/**
 * One webhook delivery, framework-neutral: POST only, body read within the limit, then `ingestWebhook`.
 * The 200 is sent only after ingestion resolved, i.e. after the events are durably stored; any failure
 * answers non-2xx so the vendor retries. The answer is plain data that each adapter writes its own way (express
 * straight onto the Node response, without a fetch `Response` in between).
 */
export async function handleWebhookDelivery(
  service: ReconnectionServiceApi,
  delivery: WebhookDelivery,
  limit: number,
  logger: Logger | undefined,
): Promise<JsonAnswer> {
  if (delivery.method !== 'POST') return errorAnswer(methodNotAllowed('POST'), { allow: 'POST' });
  try {
    if ((delivery.body.declaredLength ?? 0) > limit) throw tooLarge(limit);
    const rawBody = await delivery.body.read(limit);
    const result = await service.ingestWebhook(delivery.provider, rawBody, delivery.headers);
    const receipt: WebhookReceipt = {
      received: true,
      applied: result.applied,
      duplicates: result.duplicates,
      ignored: result.ignored,
    };
    return jsonAnswer(200, receipt);
  } catch (error) {
    return errorAnswer(toHttpError(error, logger, { route: 'webhook', provider: delivery.provider }));
  }
}
