/**
 * DRF-style request validation: every bad field is reported at once as `{"field": ["message", …]}` (400), using
 * Django's own messages, and nothing changes when any field is bad.
 */
import { MockHttpError } from '@reconnect-kit/mock-engine';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_PATTERN = /^\+?[0-9][0-9 ().-]{6,19}$/;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export class FieldErrors {
  readonly #errors: Record<string, string[]> = {};

  add(field: string, message: string): void {
    const list = this.#errors[field] ?? [];
    list.push(message);
    this.#errors[field] = list;
  }

  has(field: string): boolean {
    return field in this.#errors;
  }

  throwIfAny(): void {
    if (Object.keys(this.#errors).length > 0) throw new MockHttpError(400, this.#errors);
  }
}

export interface StringRule {
  readonly required?: boolean;
  readonly maxLength?: number;
  readonly format?: 'email' | 'phone';
}

/** Reads a string field; absent or null gives null (or "This field is required." when required). */
export function readString(
  body: Record<string, unknown>,
  field: string,
  errors: FieldErrors,
  rule: StringRule = {},
): string | null {
  const value = body[field];
  if (value === undefined || value === null) {
    if (rule.required) errors.add(field, 'This field is required.');
    return null;
  }
  if (typeof value !== 'string') {
    errors.add(field, 'Not a valid string.');
    return null;
  }
  if (value.trim() === '') {
    if (rule.required) errors.add(field, 'This field may not be blank.');
    return rule.required ? null : value;
  }
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    errors.add(field, `Ensure this field has no more than ${rule.maxLength} characters.`);
  }
  if (rule.format === 'email' && !EMAIL_PATTERN.test(value))
    errors.add(field, 'Enter a valid email address.');
  if (rule.format === 'phone' && !PHONE_PATTERN.test(value)) errors.add(field, 'Enter a valid phone number.');
  return value;
}

/** Reads an optional list of strings (`flow_items`, …). */
export function readStringList(body: Record<string, unknown>, field: string, errors: FieldErrors): string[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    errors.add(field, 'Expected a list of items.');
    return [];
  }
  return value as string[];
}

/** Reads an optional JSON object field (`external_metadata`, …). */
export function readObject(
  body: Record<string, unknown>,
  field: string,
  errors: FieldErrors,
): { [key: string]: unknown } | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.add(field, 'Expected a dictionary of items.');
    return null;
  }
  return value as { [key: string]: unknown };
}
