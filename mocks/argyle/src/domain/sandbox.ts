/**
 * Argyle's documented sandbox: sample users (all with password `passgood`, each with a fixed MFA code) and a small
 * catalogue of Link Items the mock Link page offers. Items and employers are the mock's own choice: Argyle's item
 * list is large and not part of the reconnection contract.
 */

export interface SandboxUser {
  readonly username: string;
  readonly name: string;
  readonly email: string;
  readonly mfaCode: string;
}

export const SANDBOX_PASSWORD = 'passgood';
/** Any other password fails like a wrong password; this one is documented as the way to get `invalid_credentials`. */
export const SANDBOX_FAILING_PASSWORD = 'passbad';

export const SANDBOX_USERS: readonly SandboxUser[] = [
  { username: 'test_1', name: 'Bob', email: 'test1@argyle.com', mfaCode: '8081' },
  { username: 'test_2', name: 'Sarah', email: 'test2@argyle.com', mfaCode: '8082' },
  { username: 'test_3', name: 'Joe', email: 'test3@argyle.com', mfaCode: '8083' },
];

export interface SandboxItem {
  readonly id: string;
  readonly name: string;
}

export const SANDBOX_ITEMS: readonly SandboxItem[] = [
  { id: 'item_000029932', name: 'Walmart' },
  { id: 'item_000002102', name: 'Target' },
  { id: 'item_000001543', name: 'ADP' },
];

export const DEFAULT_ITEM: SandboxItem = SANDBOX_ITEMS[0]!;

export function findSandboxUser(username: string): SandboxUser | undefined {
  return SANDBOX_USERS.find((user) => user.username === username);
}

export function findSandboxItem(itemId: string): SandboxItem | undefined {
  return SANDBOX_ITEMS.find((item) => item.id === itemId);
}
