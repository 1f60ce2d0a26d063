/**
 * Finch's OpenAPI spec (fixtures/openapi/finch.json) for tests: its operations, and a fetch that checks every 2xx
 * JSON body the mock sends against the response schema the spec gives that operation and status.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { operationsOf, type SpecOperation, toJsonSchema } from '../../../scripts/openapi-schema.mjs';
import { checkingFetch } from './finch.test-helpers.js';

export const finchSpec: unknown = JSON.parse(
  readFileSync(new URL('../../../fixtures/openapi/finch.json', import.meta.url), 'utf8'),
);
export const specOperations: SpecOperation[] = operationsOf(finchSpec);

function templateRegex(path: string): RegExp {
  return new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
}
const matchers = specOperations.map((op) => ({ op, regex: templateRegex(op.path) }));

/** The spec operation a request hits; literal paths win over templated ones (`/benefits/meta` vs `/{id}`). */
export function operationFor(method: string, pathname: string): SpecOperation | undefined {
  const candidates = matchers.filter((m) => m.op.method === method.toUpperCase() && m.regex.test(pathname));
  candidates.sort((a, b) => a.op.path.split('{').length - b.op.path.split('{').length);
  return candidates[0]?.op;
}

const validators = new Map<string, z.ZodType>();

function responseValidator(op: SpecOperation, status: number): z.ZodType | undefined {
  const key = `${op.operationId} ${status}`;
  if (!validators.has(key)) {
    const schema = op.responses[String(status)];
    if (schema === undefined) return undefined;
    validators.set(key, z.fromJSONSchema(toJsonSchema(finchSpec, schema) as z.core.JSONSchema.JSONSchema));
  }
  return validators.get(key);
}

export interface SpecCheck {
  operationId: string;
  status: number;
}

/** Records every response; `violations` lists 2xx bodies the spec does not allow (or statuses it does not list). */
export class SpecLog {
  readonly checked: SpecCheck[] = [];
  readonly violations: string[] = [];

  check(method: string, url: string, status: number, body: unknown): void {
    const pathname = new URL(url).pathname;
    const op = operationFor(method, pathname);
    if (!op) return;
    this.checked.push({ operationId: op.operationId, status });
    if (status < 200 || status > 299) return;
    const validator = responseValidator(op, status);
    if (!validator) {
      this.violations.push(`${op.operationId}: the spec lists no ${status} response`);
      return;
    }
    const result = validator.safeParse(body);
    if (!result.success) {
      this.violations.push(`${op.operationId} ${status}: ${JSON.stringify(result.error.issues.slice(0, 3))}`);
    }
  }

  /** Operation ids that answered 2xx at least once. */
  succeeded(): Set<string> {
    return new Set(this.checked.filter((c) => c.status >= 200 && c.status < 300).map((c) => c.operationId));
  }

  readonly fetch = checkingFetch((...response) => this.check(...response));
}
