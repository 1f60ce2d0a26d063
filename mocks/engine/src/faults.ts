import { compilePathPattern, type PathPattern } from './http/path-pattern.js';

export interface FaultSpec {
  /** HTTP method or `*` (default). */
  method?: string;
  /** Path pattern (`/v2/accounts/:id`, `/v2/*`) or `*` (default: every non-admin path). */
  path?: string;
  /** Answer with this status instead of calling the route. */
  status?: number;
  /** Seconds, sent as `Retry-After`. */
  retry_after?: number;
  /** Wait this long before answering (or before calling the route when no `status` is set). */
  delay_ms?: number;
  /** Destroy the socket (server) / `Response.error()` (msw). */
  reset_connection?: boolean;
  /** Send a truncated, unparseable body (the route's own, or the fault body when `status` is set). */
  malformed_body?: boolean;
  /** Apply this many times, then remove the fault. Default: until `DELETE /__admin/faults`. */
  times?: number;
}

export interface ActiveFault extends FaultSpec {
  id: string;
  /** Remaining applications; undefined = unlimited. */
  remaining?: number;
}

interface StoredFault {
  fault: ActiveFault;
  pattern: PathPattern | undefined;
  method: string | undefined;
}

/** Fault rules checked before routing; the first rule (oldest first) that matches applies. */
export class FaultInjector {
  #faults: StoredFault[] = [];
  #nextId = 1;

  add(spec: FaultSpec): ActiveFault {
    const fault: ActiveFault = { id: `fault_${this.#nextId++}`, ...spec };
    if (spec.times !== undefined) fault.remaining = spec.times;
    const path = spec.path ?? '*';
    const method = spec.method?.toUpperCase();
    this.#faults.push({
      fault,
      pattern: path === '*' ? undefined : compilePathPattern(path),
      method: method === undefined || method === '*' ? undefined : method,
    });
    return fault;
  }

  /** Finds the fault for this request and counts one application. */
  take(method: string, path: string): ActiveFault | undefined {
    if (this.#faults.length === 0) return undefined;
    const index = this.#faults.findIndex(
      (stored) =>
        (!stored.method || stored.method === method) && (!stored.pattern || stored.pattern.match(path)),
    );
    if (index < 0) return undefined;
    const { fault } = this.#faults[index]!;
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.#faults.splice(index, 1);
    }
    return fault;
  }

  list(): ActiveFault[] {
    return this.#faults.map((stored) => ({ ...stored.fault }));
  }

  clear(): number {
    const count = this.#faults.length;
    this.#faults = [];
    return count;
  }
}
