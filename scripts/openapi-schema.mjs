// Reads a vendor's OpenAPI 3.x spec (fixtures/openapi/<provider>.json) the way our tooling needs it: the list of
// operations, and any schema in it turned into a self-contained JSON Schema 2020-12 document that
// `z.fromJSONSchema` accepts (OpenAPI's `nullable`, boolean `exclusiveMinimum` and `#/components/schemas` refs
// rewritten; examples, descriptions and vendor extensions dropped). Used by generate-types.mjs (the mocks' request
// validators) and by tests that check response bodies against the spec.

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const DROPPED = new Set([
  'example',
  'examples',
  'discriminator',
  'deprecated',
  'title',
  'readOnly',
  'writeOnly',
]);

/** Follows a local `#/a/b/c` pointer. */
function resolvePointer(spec, ref) {
  return ref
    .slice(2)
    .split('/')
    .reduce((node, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
}

/** The schema node, converted; component refs are collected into `defs` by name. */
function convertNode(spec, node, defs) {
  if (Array.isArray(node)) return node.map((item) => convertNode(spec, item, defs));
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const prefix = '#/components/schemas/';
    if (!node.$ref.startsWith(prefix)) return convertNode(spec, resolvePointer(spec, node.$ref), defs);
    const name = node.$ref.slice(prefix.length);
    if (!defs.has(name)) {
      defs.set(name, true); // placeholder first, so recursive schemas terminate
      defs.set(name, convertNode(spec, resolvePointer(spec, node.$ref), defs));
    }
    return { $ref: `#/$defs/${name}` };
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key) || key.startsWith('x-') || key === 'nullable') continue;
    if (key === 'description' && typeof value === 'string') continue;
    if (key === 'properties' || key === 'patternProperties' || key === '$defs') {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, convertNode(spec, child, defs)]),
      );
    } else if (['items', 'additionalProperties', 'not', 'contains', 'propertyNames'].includes(key)) {
      out[key] = typeof value === 'object' ? convertNode(spec, value, defs) : value;
    } else if (['anyOf', 'oneOf'].includes(key)) {
      // A bare `{nullable: true}` among alternatives is the "null" alternative (alone it would match anything).
      out[key] = value.map((child) =>
        isBareNullable(child) ? { type: 'null' } : convertNode(spec, child, defs),
      );
    } else if (['allOf', 'prefixItems'].includes(key)) {
      out[key] = value.map((child) => convertNode(spec, child, defs));
    } else {
      out[key] = value;
    }
  }
  // OpenAPI 3.0: `exclusiveMinimum: true` qualifies `minimum`; JSON Schema wants the bound itself.
  if (out.exclusiveMinimum === true) {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  } else if (out.exclusiveMinimum === false) delete out.exclusiveMinimum;
  if (out.exclusiveMaximum === true) {
    out.exclusiveMaximum = out.maximum;
    delete out.maximum;
  } else if (out.exclusiveMaximum === false) delete out.exclusiveMaximum;
  return node.nullable === true ? nullable(out) : out;
}

function isBareNullable(node) {
  return (
    node !== null && typeof node === 'object' && node.nullable === true && Object.keys(node).length === 1
  );
}

/** OpenAPI 3.0 `nullable: true` in JSON Schema terms. */
function nullable(schema) {
  if (Object.keys(schema).length === 0) return schema; // `{nullable: true}` alone: any value
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type)) {
    return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  }
  if (schema.enum) return schema;
  return { anyOf: [schema, { type: 'null' }] };
}

/** A self-contained JSON Schema for `schema` (a node of `spec`), with the components it uses under `$defs`. */
export function toJsonSchema(spec, schema) {
  const defs = new Map();
  const root = convertNode(spec, schema ?? {}, defs);
  const result = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...root };
  if (defs.size > 0) result.$defs = Object.fromEntries([...defs].sort(([a], [b]) => a.localeCompare(b)));
  return result;
}

/**
 * Every operation of the spec: id, method (upper case), path as written (`/jobs/automated/{job_id}`), the auth
 * schemes it accepts, its query parameters and its JSON request body and response schemas (unconverted).
 */
export function operationsOf(spec) {
  const operations = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p) =>
        p.$ref ? resolvePointer(spec, p.$ref) : p,
      );
      const security = (operation.security ?? spec.security ?? []).map(
        (entry) => Object.keys(entry)[0] ?? null,
      );
      const requestBody = operation.requestBody?.$ref
        ? resolvePointer(spec, operation.requestBody.$ref)
        : operation.requestBody;
      operations.push({
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        security,
        query: parameters.filter((p) => p.in === 'query'),
        requestBody: requestBody?.content?.['application/json']?.schema,
        bodyRequired: requestBody?.required === true,
        responses: Object.fromEntries(
          Object.entries(operation.responses ?? {}).map(([status, response]) => {
            const resolved = response.$ref ? resolvePointer(spec, response.$ref) : response;
            return [status, resolved?.content?.['application/json']?.schema];
          }),
        ),
      });
    }
  }
  return operations;
}
