/**
 * Argyle's documented sandbox: sample users (all with password `passgood`, each with a fixed MFA code, phone and
 * driver's licence as Argyle's sandbox guide lists them) and a small catalogue of Link Items. Each sample user is a
 * persona the data model (`data-model.ts`) fills an account from: name, address, pay frequency and pay rate, and
 * the employers behind a payroll platform Item (Joe has several, as Argyle's guide says). Gig Items give gig-style
 * data (gigs, shifts, vehicles, ratings, weekly payouts), other Items payroll data. Items and employers are the
 * mock's own choice: Argyle's item list is large and not part of any contract.
 */

export type PayFrequency = 'weekly' | 'biweekly' | 'monthly';

export interface SandboxUser {
  readonly username: string;
  readonly name: string;
  readonly lastName: string;
  readonly email: string;
  readonly mfaCode: string;
  /** E.164, as identities carry it; the sandbox guide prints (800) 900-00N0. */
  readonly phone: string;
  readonly driversLicence: string;
  readonly birthDate: string;
  readonly address: {
    readonly line1: string;
    readonly city: string;
    readonly state: string;
    readonly postalCode: string;
  };
  readonly payFrequency: PayFrequency;
  /** Hourly base rate in cents. */
  readonly hourlyRateCents: number;
  /** Employers reached through a payroll platform Item (`kind: platform`); one employment each. */
  readonly platformEmployers: readonly string[];
}

export const SANDBOX_PASSWORD = 'passgood';
/** Any other password fails like a wrong password; this one is documented as the way to get `invalid_credentials`. */
export const SANDBOX_FAILING_PASSWORD = 'passbad';

export const SANDBOX_USERS: readonly SandboxUser[] = [
  {
    username: 'test_1',
    name: 'Bob',
    lastName: 'Jones',
    email: 'test1@argyle.com',
    mfaCode: '8081',
    phone: '+18009000010',
    driversLicence: 'D1230010',
    birthDate: '1985-04-12',
    address: { line1: '759 Victoria Plaza', city: 'New York', state: 'NY', postalCode: '10014' },
    payFrequency: 'weekly',
    hourlyRateCents: 2250,
    platformEmployers: ['Whole Goods'],
  },
  {
    username: 'test_2',
    name: 'Sarah',
    lastName: 'Lane',
    email: 'test2@argyle.com',
    mfaCode: '8082',
    phone: '+18009000020',
    driversLicence: 'D1230020',
    birthDate: '1991-09-03',
    address: { line1: '202 Westlake Ave N', city: 'Seattle', state: 'WA', postalCode: '98109' },
    payFrequency: 'biweekly',
    hourlyRateCents: 3175,
    platformEmployers: ['Bullseye'],
  },
  {
    username: 'test_3',
    name: 'Joe',
    lastName: 'Burnam',
    email: 'test3@argyle.com',
    mfaCode: '8083',
    phone: '+18009000030',
    driversLicence: 'D1230030',
    birthDate: '1987-02-11',
    address: { line1: '150 Broadway', city: 'New York', state: 'NY', postalCode: '10038' },
    payFrequency: 'monthly',
    hourlyRateCents: 3410,
    platformEmployers: ['Conagra Brands', 'Whole Goods'],
  },
];

export type ItemKind = 'employer' | 'gig' | 'platform' | 'benefits';

export interface SandboxItem {
  readonly id: string;
  readonly name: string;
  readonly kind: ItemKind;
  readonly status: 'healthy' | 'issues' | 'unavailable';
  readonly statusDetails: string | null;
  readonly mappingStatus: 'verified' | 'mapped' | 'unmapped';
  readonly knownLimitations: string | null;
  /** How often ongoing refresh re-scans accounts of this Item, as `features.data_retrieval.refresh_frequency`. */
  readonly refreshFrequency: string;
}

export const SANDBOX_ITEMS: readonly SandboxItem[] = [
  {
    id: 'item_000029932',
    name: 'Walmart',
    kind: 'employer',
    status: 'healthy',
    statusDetails: null,
    mappingStatus: 'verified',
    knownLimitations: null,
    refreshFrequency: '5h',
  },
  {
    id: 'item_000002102',
    name: 'Target',
    kind: 'employer',
    status: 'issues',
    statusDetails: 'Connections may take longer than usual.',
    mappingStatus: 'verified',
    knownLimitations: 'First 5 digits of SSN obfuscated.',
    refreshFrequency: '12h',
  },
  {
    id: 'item_000001543',
    name: 'ADP',
    kind: 'platform',
    status: 'healthy',
    statusDetails: null,
    mappingStatus: 'verified',
    knownLimitations: null,
    refreshFrequency: '8h',
  },
  {
    id: 'item_000000427',
    name: 'Lyft Driver',
    kind: 'gig',
    status: 'healthy',
    statusDetails: null,
    mappingStatus: 'verified',
    knownLimitations: null,
    refreshFrequency: '4h',
  },
  {
    id: 'item_000000313',
    name: 'Uber Driver',
    kind: 'gig',
    status: 'healthy',
    statusDetails: null,
    mappingStatus: 'mapped',
    knownLimitations: 'Trip locations are rounded.',
    refreshFrequency: '4h',
  },
];

export const DEFAULT_ITEM: SandboxItem = SANDBOX_ITEMS[0]!;

export function findSandboxUser(username: string): SandboxUser | undefined {
  return SANDBOX_USERS.find((user) => user.username === username);
}

export function findSandboxItem(itemId: string): SandboxItem | undefined {
  return SANDBOX_ITEMS.find((item) => item.id === itemId);
}
