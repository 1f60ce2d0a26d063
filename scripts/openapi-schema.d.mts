export interface OpenApiQueryParameterSource {
  name: string;
  in: string;
  required?: boolean;
  explode?: boolean;
  schema?: unknown;
}

export interface SpecOperation {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  security: (string | null)[];
  query: OpenApiQueryParameterSource[];
  requestBody: unknown;
  bodyRequired: boolean;
  /** Status code → JSON response schema (unconverted), undefined when the response has no JSON body. */
  responses: Record<string, unknown>;
}

/** Every operation of an OpenAPI 3.x spec. */
export function operationsOf(spec: unknown): SpecOperation[];

/** A self-contained JSON Schema 2020-12 document for a schema node of the spec (for `z.fromJSONSchema`). */
export function toJsonSchema(spec: unknown, schema: unknown): Record<string, unknown>;
