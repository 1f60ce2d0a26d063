/** Throw from a route handler or scenario to answer with the vendor's own error body. */
export class MockHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(`mock HTTP ${status}`);
    this.name = 'MockHttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}
