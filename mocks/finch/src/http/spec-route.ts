/**
 * One Finch operation of the OpenAPI spec as a mock route: method and path, authentication scheme, query
 * parameters and JSON body all come from `generated/openapi-operations.ts` (compiled from fixtures/openapi), and
 * are checked in Finch's order before the handler runs: API version, credentials, the connection's product and
 * status (data routes), query, body. A bad query or body is a 400 `invalid_request` naming the field.
 */
import {
  type MockContext,
  MockHttpError,
  type MockRequest,
  type MockResponse,
  type RouteDefinition,
} from '@reconnect-kit/mock-engine';
import { z } from 'zod';
import type { FinchState } from '../domain/state.js';
import {
  type OpenApiOperation,
  type OpenApiOperationId,
  type OpenApiQueryParameter,
  openapiOperations,
} from '../generated/openapi-operations.js';
import { apiRoute, readBody } from './api.js';
import { authenticateClient, authenticateToken, type Bearer } from './auth.js';
import { authorizeData, type DataAccess } from './data-access.js';
import { finchError } from './finch-errors.js';

type Ctx = MockContext<FinchState>;

export interface SpecCall {
  /** Bearer operations: the token and its connection. */
  bearer: Bearer | undefined;
  /** Basic operations: the authenticated client id. */
  clientId: string | undefined;
  /** Data operations (`product` given): the connection's selected entity and its data. */
  data: DataAccess | undefined;
  /** The JSON body, validated against the spec (undefined when the operation takes none). */
  body: unknown;
  /** Validated query parameters, coerced to the spec's types. */
  query: Record<string, unknown>;
}

export interface SpecRouteOptions {
  /** The Finch product a data operation needs (`company`, `benefits`, ...): scope, rate limit and status checks. */
  product?: string;
  /** Finch answers these ceilings with 422s of their own (before the generic 400 of schema validation). */
  limits?: { page?: number; batch?: number };
  /** The 400 for a bad query or body when the spec gives the operation another error shape than `invalid_request`. */
  invalidInput?: (message: string) => MockHttpError;
}

/** 422 `page_size_limit_exceeded` / `batch_limit_exceeded`, as Finch's spec lists them. */
function enforceLimits(req: MockRequest, limits: SpecRouteOptions['limits']): void {
  if (limits?.page !== undefined && Number(req.query.get('limit')) > limits.page) {
    throw finchError('page_size_limit_exceeded', {
      message: `Page size exceeds the maximum of ${limits.page} items. Please reduce the limit parameter.`,
    });
  }
  if (limits?.batch !== undefined && req.rawBody.byteLength > 0) {
    let requests: unknown;
    try {
      requests = (JSON.parse(new TextDecoder().decode(req.rawBody)) as { requests?: unknown }).requests;
    } catch {
      return; // readBody reports the malformed JSON
    }
    if (Array.isArray(requests) && requests.length > limits.batch) {
      throw finchError('batch_limit_exceeded', {
        message: `Batch size exceeds the maximum of ${limits.batch} items. Please reduce the number of items in your request.`,
      });
    }
  }
}

type SpecHandler = (req: MockRequest, ctx: Ctx, call: SpecCall) => MockResponse | Promise<MockResponse>;

const bodyValidators = new Map<OpenApiOperationId, z.ZodType>();
const queryValidators = new Map<string, z.ZodType>();

function bodyValidator(id: OpenApiOperationId, operation: OpenApiOperation): z.ZodType | undefined {
  if (!operation.body) return undefined;
  let validator = bodyValidators.get(id);
  if (!validator) {
    validator = z.fromJSONSchema(operation.body);
    bodyValidators.set(id, validator);
  }
  return validator;
}

function schemaType(schema: OpenApiQueryParameter['schema']): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const type = (schema as { type?: unknown }).type;
  return Array.isArray(type) ? (type.find((t) => t !== 'null') as string | undefined) : (type as string);
}

/** Query strings are text: numbers and booleans the spec asks for are converted before validation. */
function coerce(raw: string, type: string | undefined): unknown {
  if ((type === 'integer' || type === 'number') && raw.trim() !== '' && !Number.isNaN(Number(raw))) {
    return Number(raw);
  }
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function readQuery(req: MockRequest, id: OpenApiOperationId, parameters: readonly OpenApiQueryParameter[]) {
  const query: Record<string, unknown> = {};
  for (const parameter of parameters) {
    const type = schemaType(parameter.schema);
    // SDKs send arrays as `name[]=a&name[]=b` (Stainless), `name=a&name=b`, or `name=a,b` (explode: false).
    const values = [...req.query.getAll(parameter.name), ...req.query.getAll(`${parameter.name}[]`)];
    if (values.length === 0) {
      if (parameter.required) {
        throw finchError('invalid_request', {
          message: `Missing required query parameter ${parameter.name}`,
        });
      }
      continue;
    }
    let value: unknown;
    if (type === 'array') {
      const items = (parameter.schema as { items?: OpenApiQueryParameter['schema'] }).items ?? {};
      const split = parameter.explode ? values : values.flatMap((v) => v.split(','));
      value = split.map((v) => coerce(v, schemaType(items)));
    } else {
      value = coerce(values[values.length - 1]!, type);
    }
    const key = `${id}:${parameter.name}`;
    let validator = queryValidators.get(key);
    if (!validator) {
      validator = z.fromJSONSchema(parameter.schema);
      queryValidators.set(key, validator);
    }
    const parsed = validator.safeParse(value);
    if (!parsed.success) {
      throw finchError('invalid_request', {
        message: `Invalid ${parameter.name}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`,
      });
    }
    query[parameter.name] = parsed.data;
  }
  return query;
}

/**
 * Finch's data-freshness headers on every data answer: when the data was pulled from the provider (the last
 * successful sync, mock clock) and how the last sync attempt went.
 */
function freshnessHeaders(ctx: Ctx, { connection }: DataAccess): Record<string, string> {
  const retrieved = connection.lastSuccessfulSync ?? ctx.clock.now();
  const attempt = connection.lastSyncAttempt ?? { at: retrieved, result: 'success' };
  return {
    'Finch-Data-Retrieved': retrieved.toISOString(),
    'Finch-Last-Attempted-Update-Date': attempt.at.toISOString(),
    'Finch-Last-Attempted-Update-Result': attempt.result,
  };
}

function validated<T>(options: SpecRouteOptions, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!options.invalidInput || !(error instanceof MockHttpError) || error.status !== 400) throw error;
    throw options.invalidInput((error.body as { message: string }).message);
  }
}

/** `{job_id}` → `:job_id`, the engine's route syntax. */
function routePath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}

export interface SpecRouteDefinition extends RouteDefinition<FinchState> {
  readonly operationId: OpenApiOperationId;
}

export function specRoute(
  id: OpenApiOperationId,
  handler: SpecHandler,
  options: SpecRouteOptions = {},
): SpecRouteDefinition {
  const operation = openapiOperations[id];
  const bearerOnly = operation.security.length > 0 && operation.security.every((s) => s === 'bearerAuth');
  const bearerOptional = operation.security.includes('bearerAuth') && !bearerOnly;
  const basic = operation.security.includes('basicAuth');
  const route = apiRoute(operation.method, routePath(operation.path), async (req, ctx) => {
    ctx.state.apiBaseUrl = req.baseUrl;
    let bearer: Bearer | undefined;
    let clientId: string | undefined;
    if (bearerOnly || (bearerOptional && req.headers.has('authorization')))
      bearer = authenticateToken(req, ctx);
    if (basic) clientId = authenticateClient(req, ctx);
    enforceLimits(req, options.limits);
    const query = validated(options, () => readQuery(req, id, operation.query));
    const data =
      options.product && bearer
        ? authorizeData(ctx, bearer, options.product, query.entity_ids as string[] | undefined)
        : undefined;
    const validator = bodyValidator(id, operation);
    const body = validator ? validated(options, () => readBody(req, validator)) : undefined;
    const response = await handler(req, ctx, { bearer, clientId, data, body, query });
    return data
      ? { ...response, headers: { ...response.headers, ...freshnessHeaders(ctx, data) } }
      : response;
  });
  return { ...route, operationId: id };
}
