/** Requests under this path go to the admin API (never journaled, never faulted). */
export const ADMIN_PREFIX = '/__admin';

export function isAdminPath(path: string): boolean {
  return path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
}
