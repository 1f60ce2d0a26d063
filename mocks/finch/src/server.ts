import {
  createMswHandlers,
  type MockInstance,
  type RunningMockServer,
  type StartMockServerOptions,
  startMockServer,
} from '@reconnect-kit/mock-engine';
import type { HttpHandler } from 'msw';
import { finchMock } from './definition.js';
import type { FinchState } from './domain/state.js';

/** Where msw handlers answer by default: Finch's production host, so the SDK's default base URL is intercepted. */
export const FINCH_DEFAULT_BASE_URL = 'https://api.tryfinch.com';

/** Starts the Finch mock over HTTP (`port: 0` picks a free port). */
export function startFinchMock(options: StartMockServerOptions = {}): Promise<RunningMockServer<FinchState>> {
  return startMockServer(finchMock, options);
}

/** msw handlers running the same pipeline in-process (`setupServer(...finchHandlers(instance))`). */
export function finchHandlers(
  instance: MockInstance<FinchState>,
  baseUrl = FINCH_DEFAULT_BASE_URL,
): HttpHandler[] {
  return createMswHandlers(instance, baseUrl);
}
