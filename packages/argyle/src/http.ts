import { type Clock, type HttpFetch, parseRetryAfter, ReconnectKitError } from '@reconnect-kit/core';
import { z } from 'zod';
import type { ResolvedArgyleConfig } from './config.js';
import { type ArgyleError, errorSchema } from './generated/error.js';
import { type ArgylePage, paginatedSchema } from './generated/paginated.js';

const errorBody = z.fromJSONSchema(errorSchema) as z.ZodType<ArgyleError>;
const pageBody = z.fromJSONSchema(paginatedSchema) as z.ZodType<ArgylePage>;

/** Argyle's documented page-size maximum: fewer round trips when following `next`. */
const PAGE_LIMIT = 200;
/** A `next` chain longer than this is treated as a vendor bug (a loop), not followed forever. */
const MAX_PAGES = 1000;

type Method = 'GET' | 'POST' | 'DELETE';

/** Thin Argyle v2 client: Basic auth, JSON, vendor errors → ReconnectKitError, `next`-following pagination. */
export class ArgyleHttpClient {
  readonly #config: ResolvedArgyleConfig;
  readonly #fetch: HttpFetch;
  readonly #clock: Clock;
  readonly #authorization: string;

  constructor(config: ResolvedArgyleConfig, fetchImpl: HttpFetch, clock: Clock) {
    this.#config = config;
    this.#fetch = fetchImpl;
    this.#clock = clock;
    this.#authorization = `Basic ${Buffer.from(`${config.apiKeyId}:${config.apiKeySecret}`).toString('base64')}`;
  }

  /** Calls `path` (relative to the `/v2` root) and validates a JSON response with `schema`. */
  async json<T>(method: Method, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const url = `${this.#config.baseUrl}${path}`;
    return this.#parse(await this.#send(method, url, body), schema, method, url);
  }

  /** For endpoints answering 204 No Content (DELETE). */
  async empty(method: Method, path: string): Promise<void> {
    const response = await this.#send(method, `${this.#config.baseUrl}${path}`);
    await response.body?.cancel();
  }

  /**
   * Follows `next` verbatim until it is null or "" (Argyle's cursor is opaque; filters are not repeated in it),
   * but never to another origin: the Basic credentials must not leave the configured API host.
   */
  async list<T>(path: string, itemSchema: z.ZodType<T>): Promise<T[]> {
    const origin = new URL(this.#config.baseUrl).origin;
    const separator = path.includes('?') ? '&' : '?';
    let url: string | null = `${this.#config.baseUrl}${path}${separator}limit=${PAGE_LIMIT}`;
    const items: T[] = [];
    const seen = new Set<string>();
    while (url) {
      if (seen.has(url) || seen.size >= MAX_PAGES) {
        throw upstreamError('Argyle pagination did not terminate (a `next` URL repeated).', { path });
      }
      seen.add(url);
      const page: ArgylePage = await this.#parse(await this.#send('GET', url), pageBody, 'GET', url);
      for (const item of page.results) items.push(this.#validate(item, itemSchema, 'GET', url));
      url = page.next || null;
      if (url && new URL(url, origin).origin !== origin) {
        throw upstreamError('Argyle returned a `next` page URL on another origin; refusing to follow it.', {
          path,
        });
      }
      if (url) url = new URL(url, origin).toString();
    }
    return items;
  }

  async #send(method: Method, url: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new ReconnectKitError('upstream_unavailable', {
        message: `Argyle could not be reached (${method} ${pathOf(url)}).`,
        cause,
        details: { method, path: pathOf(url) },
      });
    }
    if (response.ok) return response;
    throw await errorFromResponse(response, method, url, this.#clock.now());
  }

  async #parse<T>(response: Response, schema: z.ZodType<T>, method: Method, url: string): Promise<T> {
    let data: unknown;
    try {
      data = await response.json();
    } catch (cause) {
      throw upstreamError(`Argyle answered ${method} ${pathOf(url)} with a body that is not JSON.`, {
        path: pathOf(url),
        status: response.status,
        cause,
      });
    }
    return this.#validate(data, schema, method, url);
  }

  #validate<T>(data: unknown, schema: z.ZodType<T>, method: Method, url: string): T {
    const result = schema.safeParse(data);
    if (result.success) return result.data;
    const where = result.error.issues.map((i) => i.path.join('.') || '(root)').slice(0, 5);
    throw upstreamError(
      `Argyle answered ${method} ${pathOf(url)} with an unexpected shape (${where.join(', ')}).`,
      {
        path: pathOf(url),
        fields: where,
      },
    );
  }
}

/** Maps an Argyle error response; the DRF `detail` is vendor text (never ours), field errors keep only names. */
async function errorFromResponse(
  response: Response,
  method: Method,
  url: string,
  now: Date,
): Promise<ReconnectKitError> {
  const status = response.status;
  const path = pathOf(url);
  const retryAfterMs = parseRetryAfter(response.headers, now);
  const body = errorBody.safeParse(await response.json().catch(() => undefined));
  const vendorDetail = body.success && 'detail' in body.data ? String(body.data.detail) : undefined;
  const fields = body.success && !('detail' in body.data) ? Object.keys(body.data) : undefined;
  const details = {
    status,
    method,
    path,
    ...(vendorDetail === undefined ? {} : { vendorDetail }),
    ...(fields === undefined ? {} : { fields }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  const suffix = vendorDetail ? `: ${vendorDetail}` : fields ? ` (invalid: ${fields.join(', ')})` : '';
  if (status === 429) {
    return new ReconnectKitError('upstream_rate_limited', {
      message: `Argyle is rate limiting ${method} ${path}; retry later.`,
      details,
    });
  }
  if (status >= 500) {
    return new ReconnectKitError('upstream_unavailable', {
      message: `Argyle is unavailable (${status} on ${method} ${path}).`,
      details,
    });
  }
  const hint =
    status === 401 ? ' Check the Argyle API key id/secret and that they match the environment.' : '';
  return new ReconnectKitError('upstream_error', {
    message: `Argyle rejected ${method} ${path} with ${status}${suffix}.${hint}`,
    details,
  });
}

function upstreamError(
  message: string,
  details: Record<string, unknown> & { cause?: unknown },
): ReconnectKitError {
  const { cause, ...rest } = details;
  return new ReconnectKitError('upstream_error', {
    message,
    details: rest,
    ...(cause === undefined ? {} : { cause }),
  });
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname;
}
