/** Plumbing shared by every Finch API route: the version header, JSON bodies validated with zod, responses. */
import type { MockContext, MockRequest, MockResponse, RouteDefinition } from '@reconnect-kit/mock-engine';
import type { z } from 'zod';
import type { FinchState } from '../domain/state.js';
import { finchError, requestIdHeader } from './finch-errors.js';

export const FINCH_API_VERSION = '2020-09-17';

type FinchHandler = (req: MockRequest, ctx: MockContext<FinchState>) => MockResponse | Promise<MockResponse>;

/**
 * A Finch API route. Finch's spec marks `Finch-API-Version` required on every operation and only `2020-09-17`
 * was ever published, so a missing or other value is a 400 before anything else happens.
 */
export function apiRoute(method: RouteDefinition<FinchState>['method'], path: string, handler: FinchHandler) {
  return {
    method,
    path,
    handler(req: MockRequest, ctx: MockContext<FinchState>) {
      const version = req.headers.get('finch-api-version');
      if (version !== FINCH_API_VERSION) {
        throw finchError('invalid_request', {
          message: version
            ? `Unsupported Finch-API-Version "${version}"; use ${FINCH_API_VERSION}`
            : `The Finch-API-Version header is required (${FINCH_API_VERSION})`,
        });
      }
      return handler(req, ctx);
    },
  } satisfies RouteDefinition<FinchState>;
}

export function finchJson(status: number, body: unknown): MockResponse {
  return { status, headers: { 'content-type': 'application/json', ...requestIdHeader() }, body };
}

/** Parses and validates a JSON body; a 400 `invalid_request` names the first offending field. */
export function readBody<T>(req: MockRequest, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = req.rawBody.byteLength === 0 ? {} : JSON.parse(new TextDecoder().decode(req.rawBody));
  } catch {
    throw finchError('invalid_request', { message: 'The request body is not valid JSON' });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw finchError('invalid_request', { message: `Invalid ${field}: ${issue.message}` });
  }
  return parsed.data;
}
