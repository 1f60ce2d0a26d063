/** A compiled `/v2/accounts/:id` pattern. `*` as the last segment matches the rest of the path. */
export interface PathPattern {
  readonly source: string;
  /** True when the pattern has no `:param` or `*` segment (it can be looked up in a map). */
  readonly isStatic: boolean;
  match(path: string): Record<string, string> | null;
}

/** Drops a trailing slash so `/v2/users/` and `/v2/users` are the same route. */
export function normalizePath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export function compilePathPattern(pattern: string): PathPattern {
  const source = normalizePath(pattern);
  const segments = source.split('/');
  const isStatic = segments.every((segment) => !segment.startsWith(':') && segment !== '*');
  if (isStatic) {
    return { source, isStatic, match: (path) => (path === source ? NO_PARAMS : null) };
  }
  const hasWildcard = segments.at(-1) === '*';
  if (segments.slice(0, -1).includes('*')) {
    throw new Error(`path pattern "${pattern}": "*" is only allowed as the last segment`);
  }
  const fixedCount = hasWildcard ? segments.length - 1 : segments.length;
  return {
    source,
    isStatic,
    match(path) {
      const parts = path.split('/');
      if (hasWildcard ? parts.length < fixedCount : parts.length !== fixedCount) return null;
      const params: Record<string, string> = {};
      for (let index = 0; index < fixedCount; index++) {
        const segment = segments[index]!;
        const part = parts[index]!;
        if (segment.startsWith(':')) {
          if (part === '') return null;
          params[segment.slice(1)] = safeDecode(part);
        } else if (segment !== part) {
          return null;
        }
      }
      if (hasWildcard) params['*'] = parts.slice(fixedCount).join('/');
      return params;
    },
  };
}

function safeDecode(part: string): string {
  // Most ids hold no escape; `decodeURIComponent` would return them unchanged, after a native call.
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
