import type { EngineErrorInput, MockRequest } from '../types.js';
import { type HeaderSource, toHeaders } from './incoming-call.js';
import { MockHttpError } from './mock-http-error.js';
import { decodeUtf8, NOT_UTF8_MESSAGE } from './text-body.js';

/** `MockRequest` with lazily built `url`, `query`, `headers` and body text (most handlers need only some of them). */
export class PipelineRequest implements MockRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly rawBody: Uint8Array;
  readonly baseUrl: string;
  readonly #search: string;
  readonly #headerSource: HeaderSource;
  readonly #errorBody: (input: EngineErrorInput) => unknown;
  #url: URL | undefined;
  #query: URLSearchParams | undefined;
  #headers: Headers | undefined;
  #text: string | undefined;

  constructor(init: {
    method: string;
    path: string;
    search: string;
    params: Record<string, string>;
    headers: HeaderSource;
    rawBody: Uint8Array;
    /** `rawBody` already decoded as UTF-8, when the caller has done it. */
    text?: string | undefined;
    baseUrl: string;
    errorBody: (input: EngineErrorInput) => unknown;
  }) {
    this.method = init.method;
    this.path = init.path;
    this.#search = init.search;
    this.params = init.params;
    this.#headerSource = init.headers;
    this.rawBody = init.rawBody;
    this.#text = init.text;
    this.baseUrl = init.baseUrl;
    this.#errorBody = init.errorBody;
  }

  get url(): URL {
    this.#url ??= new URL(`${this.baseUrl}${this.path}${this.#search}`);
    return this.#url;
  }

  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.#search);
    return this.#query;
  }

  get headers(): Headers {
    this.#headers ??= toHeaders(this.#headerSource);
    return this.#headers;
  }

  json<T = unknown>(): T {
    if (this.rawBody.byteLength === 0) this.#badRequest('request body is empty; expected a JSON document');
    const text = this.#bodyText();
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      return this.#badRequest(`request body is not valid JSON: ${(error as Error).message}`);
    }
  }

  form(): URLSearchParams {
    return new URLSearchParams(this.#bodyText());
  }

  #bodyText(): string {
    this.#text ??= decodeUtf8(this.rawBody) ?? this.#badRequest(NOT_UTF8_MESSAGE);
    return this.#text;
  }

  #badRequest(message: string): never {
    throw new MockHttpError(400, this.#errorBody({ status: 400, code: 'bad_request', message }));
  }
}
