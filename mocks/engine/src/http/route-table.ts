import { compilePathPattern, type PathPattern } from './path-pattern.js';

interface CompiledRoute<H> {
  pattern: PathPattern;
  handler: H;
}

export type RouteLookup<H> =
  | { kind: 'found'; handler: H; params: Record<string, string>; pattern: string }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

/**
 * Method + path route table compiled once: static paths are a map lookup, parameterised paths a short scan of
 * the routes for that method only.
 */
export class RouteTable<H> {
  readonly #staticRoutes = new Map<string, H>();
  readonly #paramRoutes = new Map<string, CompiledRoute<H>[]>();
  readonly #allPatterns: { method: string; pattern: PathPattern }[] = [];

  constructor(routes: readonly { method: string; path: string; handler: H }[]) {
    for (const route of routes) {
      const method = route.method.toUpperCase();
      const pattern = compilePathPattern(route.path);
      this.#allPatterns.push({ method, pattern });
      if (pattern.isStatic) {
        const key = `${method} ${pattern.source}`;
        if (this.#staticRoutes.has(key)) throw new Error(`duplicate route ${key}`);
        this.#staticRoutes.set(key, route.handler);
      } else {
        const list = this.#paramRoutes.get(method) ?? [];
        list.push({ pattern, handler: route.handler });
        this.#paramRoutes.set(method, list);
      }
    }
  }

  lookup(method: string, path: string): RouteLookup<H> {
    const staticHandler = this.#staticRoutes.get(`${method} ${path}`);
    if (staticHandler !== undefined)
      return { kind: 'found', handler: staticHandler, params: {}, pattern: path };
    const candidates = this.#paramRoutes.get(method);
    if (candidates) {
      for (const route of candidates) {
        const params = route.pattern.match(path);
        if (params) return { kind: 'found', handler: route.handler, params, pattern: route.pattern.source };
      }
    }
    const allowed = this.#allPatterns
      .filter((entry) => entry.pattern.match(path) !== null)
      .map((entry) => entry.method);
    return allowed.length > 0
      ? { kind: 'method_not_allowed', allowed: [...new Set(allowed)] }
      : { kind: 'not_found' };
  }
}
