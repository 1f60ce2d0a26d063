import { isReconnectKitError, type ReconnectKitErrorCode } from './errors.js';

/** The ReconnectKitError code `fn` throws; 'none' if it returns, 'other' for any other error. */
export function thrownCode(fn: () => unknown): ReconnectKitErrorCode | 'none' | 'other' {
  try {
    fn();
    return 'none';
  } catch (error) {
    return isReconnectKitError(error) ? error.code : 'other';
  }
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
