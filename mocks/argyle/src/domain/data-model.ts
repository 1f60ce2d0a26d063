/**
 * The payroll data behind one sandbox account, generated deterministically from a seed: the same input gives the
 * same records, byte for byte. A sandbox user is a persona (name, address, pay frequency, rate) and the Item's kind
 * picks the data style: payroll Items give employments, identities, paystubs with itemised pay, taxes and
 * deductions, one payroll document per paystub plus W-2s, and bank deposit destinations; gig Items give gigs
 * grouped into daily shifts, weekly payouts that add up those gigs, a vehicle, a rating, a card destination and a
 * driver's licence. Records are consistent across resources: a paystub's `employment` and `payroll_document` are
 * those records' ids, identities match their employments, paystub `destinations` match the deposit destinations
 * (same bank, same last four digits), and every `*_ytd` is the running sum of the calendar year.
 *
 * Amounts are computed in integer cents (hours in hundredths), so sums are exact; wire objects are built once here
 * and served as they are.
 */
import { createHash } from 'node:crypto';
import type { ArgyleDepositDestination } from '../generated/deposit-destination.js';
import type { ArgyleEmployment } from '../generated/employment.js';
import type { ArgyleGig } from '../generated/gig.js';
import type { ArgyleIdentity } from '../generated/identity.js';
import type { ArgylePayrollDocument } from '../generated/payroll-document.js';
import type { ArgylePaystub } from '../generated/paystub.js';
import type { ArgyleRating } from '../generated/rating.js';
import type { ArgyleShift } from '../generated/shift.js';
import type { ArgyleVehicle } from '../generated/vehicle.js';
import type { PayFrequency, SandboxItem, SandboxUser } from './sandbox.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How far back the first sync reaches. */
export const HISTORY_DAYS = 730;

export interface AccountModelInput {
  /** Any string; the account id in the mock. */
  readonly seed: string;
  readonly accountId: string;
  readonly userId: string;
  readonly persona: SandboxUser;
  readonly item: SandboxItem;
  /** When the first sync ran: the history ends here and `created_at` of the initial records is this instant. */
  readonly connectedAt: Date;
}

/** A generated record: its wire object plus what lists filter and sort on. */
export interface DataRow<W> {
  readonly id: string;
  /** Newest-first lists sort on this (paystub date, gig start, document date, or creation time). */
  readonly sortMs: number;
  readonly employment: string | null;
  readonly wire: W;
}

/** Payroll documents get their absolute `file_url` when served (it names the mock's own host). */
export type PayrollDocumentWire = Omit<ArgylePayrollDocument, 'file_url'>;

export interface AccountData {
  employments: DataRow<ArgyleEmployment>[];
  identities: DataRow<ArgyleIdentity>[];
  paystubs: DataRow<ArgylePaystub>[];
  payrollDocuments: DataRow<PayrollDocumentWire>[];
  depositDestinations: DataRow<ArgyleDepositDestination>[];
  gigs: DataRow<ArgyleGig>[];
  shifts: DataRow<ArgyleShift>[];
  vehicles: DataRow<ArgyleVehicle>[];
  ratings: DataRow<ArgyleRating>[];
}

export function emptyAccountData(): AccountData {
  return {
    employments: [],
    identities: [],
    paystubs: [],
    payrollDocuments: [],
    depositDestinations: [],
    gigs: [],
    shifts: [],
    vehicles: [],
    ratings: [],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Determinism: ids and random numbers are derived from the seed and a label, never from Math.random or the clock.

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** A version-3-shaped uuid (Argyle's data ids look like that) from the seed and a label. */
export function seededUuid(seed: string, label: string): string {
  const hex = digest(`${seed}|${label}`).toString('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-3${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** sfc32 seeded from a sha256 of the seed and label: a small, fast, reproducible generator. */
function seededRandom(
  seed: string,
  label: string,
): { next(): number; int(min: number, max: number): number } {
  const bytes = digest(`${seed}|${label}`);
  let a = bytes.readUInt32LE(0);
  let b = bytes.readUInt32LE(4);
  let c = bytes.readUInt32LE(8);
  let d = bytes.readUInt32LE(12);
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  return { next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

/** Non-negative cents as Argyle's decimal string: 129010 → "1290.10". */
export function money(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** Hundredths of an hour with four decimals, as in `gross_pay_list`: 9292 → "92.9200". */
function hours4(hundredths: number): string {
  return `${money(hundredths)}00`;
}

function ratio4(numerator: number, denominator: number): string | null {
  return denominator === 0 ? null : (numerator / denominator).toFixed(4);
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = (ms: number) => iso(ms).slice(0, 10);
const midnight = (ms: number) => `${day(ms)}T00:00:00Z`;
const seconds = (ms: number) => `${iso(ms).slice(0, 19)}Z`;

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

// ---------------------------------------------------------------------------------------------------------------
// The pay calendar: pay dates are Fridays (weekly, every other Friday) or the 1st of the month, at 00:00 UTC.

const FRIDAY_EPOCH = Date.UTC(1970, 0, 2);

function frequencyOf(input: AccountModelInput): PayFrequency {
  return input.item.kind === 'gig' ? 'weekly' : input.persona.payFrequency;
}

/** The first pay date on or after the start of the history. */
function firstPayDate(input: AccountModelInput): number {
  const start = startOfDay(input.connectedAt.getTime()) - HISTORY_DAYS * DAY_MS;
  const frequency = frequencyOf(input);
  if (frequency === 'monthly') {
    const date = new Date(start);
    const first = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    return first >= start ? first : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  }
  const step = frequency === 'weekly' ? 7 : 14;
  const days = Math.ceil((start - FRIDAY_EPOCH) / DAY_MS / step) * step;
  return FRIDAY_EPOCH + days * DAY_MS;
}

/** The pay date of period `index` (0 = the oldest in the history). */
export function payDate(input: AccountModelInput, index: number): number {
  const first = firstPayDate(input);
  const frequency = frequencyOf(input);
  if (frequency === 'monthly') {
    const date = new Date(first);
    return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + index, 1);
  }
  return first + index * (frequency === 'weekly' ? 7 : 14) * DAY_MS;
}

/** How many pay dates fall on or before `at`. */
export function periodsUntil(input: AccountModelInput, at: Date): number {
  let count = 0;
  while (payDate(input, count) <= at.getTime()) count += 1;
  return count;
}

/** The work period a pay date pays for: it ends five days before the pay date. */
function workPeriod(input: AccountModelInput, index: number): { start: number; end: number } {
  const end = payDate(input, index) - 5 * DAY_MS;
  const previousEnd = index === 0 ? end - periodDays(input) * DAY_MS : payDate(input, index - 1) - 5 * DAY_MS;
  return { start: previousEnd + DAY_MS, end };
}

function periodDays(input: AccountModelInput): number {
  const frequency = frequencyOf(input);
  return frequency === 'weekly' ? 7 : frequency === 'biweekly' ? 14 : 30;
}

// ---------------------------------------------------------------------------------------------------------------
// Employments, identities and the records that do not depend on the pay calendar.

interface Employment {
  readonly index: number;
  readonly id: string;
  readonly employer: string;
  readonly hireDate: number;
}

function employmentsOf(input: AccountModelInput): Employment[] {
  const employers = input.item.kind === 'platform' ? input.persona.platformEmployers : [input.item.name];
  return employers.map((employer, index) => {
    const random = seededRandom(input.seed, `hire:${index}`);
    const historyStart = startOfDay(input.connectedAt.getTime()) - HISTORY_DAYS * DAY_MS;
    return {
      index,
      id: seededUuid(input.seed, `employment:${index}`),
      employer,
      hireDate: historyStart - random.int(30, 900) * DAY_MS,
    };
  });
}

const BANK = 'NW Regional Bank';
const CHECKING_LAST4 = '7390';
const SAVINGS_LAST4 = '4821';
/** Fixed amount to savings each payday; the rest goes to checking. */
const SAVINGS_CENTS = 20_000;
const CARD_LAST4 = '4321';

function baseRecords(input: AccountModelInput, employments: readonly Employment[]): AccountData {
  const data = emptyAccountData();
  const created = iso(input.connectedAt.getTime());
  const createdMs = input.connectedAt.getTime();
  const { persona, item, seed, accountId, userId } = input;
  const gig = item.kind === 'gig';
  for (const employment of employments) {
    data.employments.push({
      id: employment.id,
      sortMs: createdMs,
      employment: employment.id,
      wire: {
        id: employment.id,
        employer: employment.employer,
        employment_status: 'active',
        origin: 'retrieved',
        user: userId,
        account: accountId,
        created_at: created,
      },
    });
    const identityId = seededUuid(seed, `identity:${employment.index}`);
    const random = seededRandom(seed, `identity:${employment.index}`);
    data.identities.push({
      id: identityId,
      sortMs: createdMs,
      employment: employment.id,
      wire: {
        id: identityId,
        account: accountId,
        address: {
          city: persona.address.city,
          line1: persona.address.line1,
          line2: null,
          state: persona.address.state,
          country: 'US',
          postal_code: persona.address.postalCode,
        },
        first_name: persona.name,
        last_name: persona.lastName,
        full_name: `${persona.name} ${persona.lastName}`,
        birth_date: persona.birthDate,
        email: persona.email,
        phone_number: persona.phone,
        picture_url: null,
        employment_status: 'active',
        employment_type: gig ? 'contractor' : 'full-time',
        job_title: gig ? 'Driver' : `${random.int(1000, 9999)} - Associate`,
        ssn: `${random.int(100, 899)}-${random.int(10, 99)}-${random.int(1000, 9999)}`,
        marital_status: 'Single',
        gender: null,
        hire_date: day(employment.hireDate),
        original_hire_date: day(employment.hireDate),
        termination_date: null,
        termination_reason: null,
        employer: employment.employer,
        base_pay: gig
          ? null
          : { amount: money(persona.hourlyRateCents * 2080), period: 'annual', currency: 'USD' },
        pay_cycle: frequencyOf(input),
        platform_ids: {
          employee_id: digest(`${seed}|employee:${employment.index}`)
            .toString('hex')
            .slice(0, 9)
            .toUpperCase(),
          position_id: gig
            ? null
            : digest(`${seed}|position:${employment.index}`).toString('hex').slice(0, 9).toUpperCase(),
          platform_user_id: digest(`${seed}|platform-user`).toString('hex').slice(0, 16).toUpperCase(),
        },
        created_at: created,
        updated_at: created,
        metadata: {},
        employment: employment.id,
      },
    });
  }
  const employer = employments[0]!.employer;
  const destination = (
    label: string,
    wire: Omit<
      ArgyleDepositDestination,
      'id' | 'created_at' | 'updated_at' | 'metadata' | 'account' | 'employer'
    >,
  ) => {
    const id = seededUuid(seed, `deposit-destination:${label}`);
    data.depositDestinations.push({
      id,
      sortMs: createdMs,
      employment: null,
      wire: {
        id,
        account: accountId,
        employer,
        ...wire,
        created_at: created,
        updated_at: created,
        metadata: {},
      },
    });
  };
  if (gig) {
    destination('card', {
      destination_type: 'card',
      status: 'active',
      allocation_type: null,
      currency: null,
      allocation_value: null,
      method: 'Instant payout',
      card: { card_number: `****${CARD_LAST4}`, card_name: 'Visa', is_platform_card: false },
    });
    const vehicleId = seededUuid(seed, 'vehicle');
    data.vehicles.push({
      id: vehicleId,
      sortMs: createdMs,
      employment: null,
      wire: {
        id: vehicleId,
        account: accountId,
        identification: digest(`${seed}|plate`).toString('hex').slice(0, 6).toUpperCase(),
        make: 'Toyota',
        model: 'Camry',
        type: 'car',
        year: 2019,
        vin: digest(`${seed}|vin`).toString('hex').slice(0, 17).toUpperCase(),
        employer,
        created_at: created,
        updated_at: created,
        metadata: {},
      },
    });
    const ratingId = seededUuid(seed, 'rating');
    const random = seededRandom(seed, 'rating');
    data.ratings.push({
      id: ratingId,
      sortMs: createdMs,
      employment: null,
      wire: {
        id: ratingId,
        account: accountId,
        rating: `4.${random.int(60, 99)}`,
        acceptance_rate: `0.${random.int(80, 99)}`,
        ontime_rate: `0.${random.int(85, 99)}`,
        achievements: [
          {
            count: random.int(1, 9),
            label: 'excellent_service',
            points: null,
            description: 'Excellent Service',
            metadata: {},
          },
          {
            count: random.int(1, 5),
            label: 'great_conversation',
            points: null,
            description: 'Great Conversation',
            metadata: {},
          },
        ],
        rewards: [
          {
            program_name: 'Driver Rewards',
            tier: 'Gold',
            valid_through: day(createdMs + 90 * DAY_MS),
            points: String(random.int(100, 900)),
          },
        ],
        employer,
        created_at: created,
        updated_at: created,
        metadata: {},
      },
    });
    const licenceId = seededUuid(seed, 'document:licence');
    data.payrollDocuments.push({
      id: licenceId,
      sortMs: employments[0]!.hireDate,
      employment: employments[0]!.id,
      wire: {
        id: licenceId,
        account: accountId,
        document_number: persona.driversLicence,
        available_date: seconds(employments[0]!.hireDate),
        expiration_date: seconds(employments[0]!.hireDate + 4 * 365 * DAY_MS),
        employer,
        employment: employments[0]!.id,
        document_type: 'drivers-license',
        document_type_description: "Driver's license",
        created_at: created,
        updated_at: created,
        ocr_data: {},
        metadata: {},
      },
    });
  } else {
    destination('checking', {
      destination_type: 'ach_deposit_account',
      status: 'active',
      allocation_type: 'amount',
      currency: 'USD',
      allocation_value: 'remainder',
      method: 'Direct deposit',
      ach_deposit_account: {
        account_number: `00041127${CHECKING_LAST4}`,
        bank_name: BANK,
        routing_number: '026010000',
        account_type: 'checking',
      },
    });
    destination('savings', {
      destination_type: 'ach_deposit_account',
      status: 'active',
      allocation_type: 'amount',
      currency: 'USD',
      allocation_value: money(SAVINGS_CENTS),
      method: 'Direct deposit',
      ach_deposit_account: {
        account_number: `00093305${SAVINGS_LAST4}`,
        bank_name: BANK,
        routing_number: '026010000',
        account_type: 'savings',
      },
    });
  }
  return data;
}

// ---------------------------------------------------------------------------------------------------------------
// Pay periods: amounts per period, running year-to-date sums, and the records each period adds.

/** Running calendar-year sums, keyed by line name; reset on the first pay date of a new year. */
class YearToDate {
  #year = -1;
  readonly #sums = new Map<string, number>();

  enter(payDateMs: number): void {
    const year = new Date(payDateMs).getUTCFullYear();
    if (year !== this.#year) {
      this.#year = year;
      this.#sums.clear();
    }
  }

  add(key: string, amount: number): number {
    const sum = (this.#sums.get(key) ?? 0) + amount;
    this.#sums.set(key, sum);
    return sum;
  }
}

interface Line {
  readonly name: string;
  readonly cents: number;
}

interface PayrollAmounts {
  readonly baseHours: number;
  readonly overtimeHours: number;
  readonly base: number;
  readonly overtime: number;
  readonly bonus: number;
  readonly taxes: readonly (Line & { readonly type: 'federal' | 'fica' | 'state' })[];
  readonly deductions: readonly (Line & { readonly classification: 'pre_tax' | 'post_tax' })[];
}

const STANDARD_HOURS: Record<PayFrequency, number> = { weekly: 4000, biweekly: 8000, monthly: 17333 };

function payrollAmounts(input: AccountModelInput, employment: Employment, index: number): PayrollAmounts {
  const random = seededRandom(input.seed, `pay:${employment.index}:${index}`);
  const rate = input.persona.hourlyRateCents;
  const standard = STANDARD_HOURS[frequencyOf(input)];
  const baseHours = Math.round((standard * random.int(90, 100)) / 100);
  const overtimeHours = random.next() < 0.3 ? random.int(200, 800) : 0;
  const base = Math.round((baseHours * rate) / 100);
  const overtime = Math.round((overtimeHours * rate * 1.5) / 100);
  const bonus = random.next() < 0.1 ? random.int(100, 500) * 100 : 0;
  const gross = base + overtime + bonus;
  const pct = (permille: number) => Math.round((gross * permille) / 1000);
  const taxes: PayrollAmounts['taxes'][number][] = [
    { name: 'Federal Withholding', type: 'federal', cents: pct(100) },
    { name: 'OASDI', type: 'fica', cents: pct(62) },
    { name: 'MEDICARE', type: 'fica', cents: Math.round((gross * 145) / 10_000) },
  ];
  // Washington has no state income tax.
  if (input.persona.address.state !== 'WA') {
    taxes.push({ name: `${input.persona.address.state} State Income Tax`, type: 'state', cents: pct(40) });
  }
  const deductions: PayrollAmounts['deductions'][number][] = [
    { name: '401K', classification: 'pre_tax', cents: pct(50) },
    { name: 'Dental', classification: 'pre_tax', cents: 1500 },
  ];
  return { baseHours, overtimeHours, base, overtime, bonus, taxes, deductions };
}

const sum = (lines: readonly Line[]) => lines.reduce((total, line) => total + line.cents, 0);

const STREETS = [
  'Joel Fields',
  'Edwards Terrace',
  'Watson Isle',
  'Garcia Parkway',
  'Jamie Summit',
  'Tony Ranch',
];

interface GigPeriod {
  readonly gigs: DataRow<ArgyleGig>[];
  readonly shifts: DataRow<ArgyleShift>[];
  readonly earned: number;
}

/**
 * Rides in the work period of pay date `index`, grouped per day into shifts; `earned` is what the payout pays.
 * Amounts come from the period's own generator and the ride details from one per ride, so `build: false` (a period
 * only summed for year-to-date figures) skips the records yet earns exactly the same.
 */
function gigPeriod(
  input: AccountModelInput,
  employment: Employment,
  index: number,
  created: string,
  build: boolean,
): GigPeriod {
  const random = seededRandom(input.seed, `gigs:${index}`);
  const { start } = workPeriod(input, index);
  const { city, state, postalCode } = input.persona.address;
  const gigs: DataRow<ArgyleGig>[] = [];
  const byDay = new Map<number, { first: number; last: number }>();
  let earned = 0;
  const count = random.int(4, 10);
  for (let n = 0; n < count; n++) {
    const startMs = start + random.int(0, 6) * DAY_MS + random.int(7 * 3600, 21 * 3600) * 1000;
    const cancelled = random.next() < 0.12;
    const distance = cancelled ? 0 : random.int(80, 2200);
    const duration = cancelled ? null : Math.round(distance * 1.8 + random.int(240, 900));
    const endMs = duration === null ? null : startMs + duration * 1000;
    const pay = cancelled ? 0 : Math.round(distance * 1.1 + (duration ?? 0) / 3);
    const tips = cancelled || random.next() < 0.5 ? 0 : random.int(100, 900);
    const bonus = cancelled || random.next() < 0.85 ? 0 : random.int(100, 400);
    const fees = cancelled || random.next() < 0.7 ? 0 : random.int(50, 450);
    const total = pay + tips + bonus;
    earned += total;
    if (!build) continue;
    const id = seededUuid(input.seed, `gig:${index}:${n}`);
    const detail = seededRandom(input.seed, `gig:${index}:${n}`);
    const address = () =>
      `${detail.int(10, 9999)} ${STREETS[detail.int(0, STREETS.length - 1)]}, ${city}, ${state} ${postalCode}, US`;
    const place = () => ({
      lat: (40.6 + detail.next() / 10).toFixed(6),
      lng: (-73.9 + detail.next() / 10).toFixed(6),
      formatted_address: address(),
    });
    if (endMs !== null) {
      const dayKey = startOfDay(startMs);
      const span = byDay.get(dayKey);
      byDay.set(dayKey, {
        first: Math.min(span?.first ?? startMs, startMs),
        last: Math.max(span?.last ?? endMs, endMs),
      });
    }
    gigs.push({
      id,
      sortMs: startMs,
      employment: employment.id,
      wire: {
        id,
        account: input.accountId,
        employer: employment.employer,
        created_at: created,
        updated_at: created,
        status: cancelled ? 'cancelled' : 'completed',
        type: 'rideshare',
        task_count: 1,
        start_datetime: seconds(startMs),
        end_datetime: endMs === null ? null : seconds(endMs),
        all_datetimes: {
          request_at: seconds(startMs),
          accept_at: cancelled ? null : seconds(startMs + 6000),
          pickup_at: cancelled ? null : seconds(startMs + 180_000),
          dropoff_at: endMs === null ? null : seconds(endMs),
          cancel_at: cancelled ? seconds(startMs + 12_000) : null,
          shift_start: null,
          shift_end: null,
          breaks: [],
        },
        duration,
        timezone: 'America/New_York',
        earning_type: 'work',
        start_location: cancelled ? null : place(),
        end_location: cancelled ? null : place(),
        distance: money(distance),
        distance_unit: 'miles',
        metadata: {},
        circumstances: {
          is_pool: detail.next() < 0.3,
          is_rush: detail.next() < 0.3,
          is_surge: detail.next() < 0.2,
          service_type: employment.employer.split(' ')[0] ?? employment.employer,
          position: null,
        },
        income: {
          currency: 'USD',
          total_charge: money(total + fees),
          fees: money(fees),
          total: money(total),
          pay: money(pay),
          tips: money(tips),
          bonus: money(bonus),
          other: '0.00',
          customer_price: null,
        },
        income_rates: {
          hour: duration ? money(Math.round((total * 3600) / duration)) : null,
          mile: distance ? money(Math.round((total * 100) / distance)) : null,
        },
        task_details: { events: [], orders: [] },
      },
    });
  }
  const shifts: DataRow<ArgyleShift>[] = [...byDay.entries()]
    .sort(([a], [b]) => a - b)
    .map(([dayKey, span]) => {
      const id = seededUuid(input.seed, `shift:${index}:${dayKey}`);
      const shiftStart = span.first - 10 * 60_000;
      const shiftEnd = span.last + 10 * 60_000;
      return {
        id,
        sortMs: shiftStart,
        employment: employment.id,
        wire: {
          id,
          account: input.accountId,
          employer: employment.employer,
          created_at: created,
          updated_at: created,
          status: 'completed',
          type: 'services',
          start_datetime: seconds(shiftStart),
          end_datetime: seconds(shiftEnd),
          all_datetimes: { shift_start: seconds(shiftStart), shift_end: seconds(shiftEnd), breaks: [] },
          hours: ((shiftEnd - shiftStart) / 3_600_000).toFixed(2),
          timezone: 'America/New_York',
          location: `${city}, ${state}`,
          metadata: {},
        },
      };
    });
  return { gigs, shifts, earned };
}

function payrollPaystub(
  input: AccountModelInput,
  employment: Employment,
  index: number,
  ytd: YearToDate,
  created: string,
): { paystub: ArgylePaystub; documentId: string } {
  const amounts = payrollAmounts(input, employment, index);
  const paid = payDate(input, index);
  const period = workPeriod(input, index);
  const gross = amounts.base + amounts.overtime + amounts.bonus;
  const taxes = sum(amounts.taxes);
  const deductions = sum(amounts.deductions);
  const net = gross - taxes - deductions;
  const hours = amounts.baseHours + amounts.overtimeHours;
  const key = (name: string) => `${employment.index}:${name}`;
  const baseYtd = ytd.add(key('base'), amounts.base);
  const baseHoursYtd = ytd.add(key('base-hours'), amounts.baseHours);
  const overtimeYtd = ytd.add(key('overtime'), amounts.overtime);
  const overtimeHoursYtd = ytd.add(key('overtime-hours'), amounts.overtimeHours);
  const bonusYtd = ytd.add(key('bonus'), amounts.bonus);
  const rate = input.persona.hourlyRateCents;
  const grossPayList: ArgylePaystub['gross_pay_list'] = [
    {
      name: 'Regular',
      type: 'base',
      start_date: day(period.start),
      end_date: day(period.end),
      rate: `${money(rate)}00`,
      hours: hours4(amounts.baseHours),
      amount: money(amounts.base),
      hours_ytd: hours4(baseHoursYtd),
      amount_ytd: money(baseYtd),
    },
  ];
  if (amounts.overtime > 0 || overtimeYtd > 0) {
    grossPayList.push({
      name: 'Overtime',
      type: 'overtime',
      start_date: amounts.overtime > 0 ? day(period.start) : null,
      end_date: amounts.overtime > 0 ? day(period.end) : null,
      rate: amounts.overtime > 0 ? `${money(Math.round(rate * 1.5))}00` : null,
      hours: amounts.overtime > 0 ? hours4(amounts.overtimeHours) : null,
      amount: amounts.overtime > 0 ? money(amounts.overtime) : null,
      hours_ytd: hours4(overtimeHoursYtd),
      amount_ytd: money(overtimeYtd),
    });
  }
  if (amounts.bonus > 0 || bonusYtd > 0) {
    grossPayList.push({
      name: 'Bonus',
      type: 'bonus',
      start_date: null,
      end_date: null,
      rate: null,
      hours: null,
      amount: amounts.bonus > 0 ? money(amounts.bonus) : null,
      hours_ytd: null,
      amount_ytd: money(bonusYtd),
    });
  }
  const total = (amount: number, amountYtd: number, h: number | null, hYtd: number | null) =>
    amountYtd === 0
      ? null
      : {
          amount: amount > 0 ? money(amount) : null,
          amount_ytd: money(amountYtd),
          hours: h ? hours4(h) : null,
          hours_ytd: hYtd ? hours4(hYtd) : null,
          rate_implied: h ? ratio4(amount, h) : null,
          rate_implied_ytd: hYtd ? ratio4(amountYtd, hYtd) : null,
        };
  const savings = Math.min(SAVINGS_CENTS, net);
  const documentId = seededUuid(input.seed, `document:paystub:${employment.index}:${index}`);
  const paystub: ArgylePaystub = {
    id: seededUuid(input.seed, `paystub:${employment.index}:${index}`),
    account: input.accountId,
    payroll_document: documentId,
    deduction_list: amounts.deductions.map((line) => ({
      amount: money(line.cents),
      name: line.name,
      tax_classification: line.classification,
      amount_ytd: money(ytd.add(key(`deduction:${line.name}`), line.cents)),
    })),
    filing_status: [
      { type: 'federal', location: null, status: 'single' },
      ...(input.persona.address.state === 'WA'
        ? []
        : [{ type: 'state' as const, location: input.persona.address.state, status: 'single' }]),
    ],
    tax_list: amounts.taxes.map((line) => ({
      amount: money(line.cents),
      name: line.name,
      type: line.type,
      amount_ytd: money(ytd.add(key(`tax:${line.name}`), line.cents)),
    })),
    status: 'completed',
    paystub_date: midnight(paid),
    paystub_period: { start_date: midnight(period.start), end_date: midnight(period.end) },
    currency: 'USD',
    gross_pay: money(gross),
    deductions: money(deductions),
    taxes: money(taxes),
    net_pay: money(net),
    reimbursements: '0.00',
    hours: money(hours),
    fees: null,
    net_pay_ytd: money(ytd.add(key('net'), net)),
    gross_pay_ytd: money(ytd.add(key('gross'), gross)),
    metadata: {},
    employer: employment.employer,
    employer_address: {
      city: input.persona.address.city,
      state: input.persona.address.state,
      country: 'US',
      postal_code: input.persona.address.postalCode,
      line1: `${100 + employment.index * 11} Commerce Way`,
      line2: null,
    },
    created_at: created,
    updated_at: created,
    destinations: [
      {
        reference: `SAVINGS *****${SAVINGS_LAST4}`,
        amount: money(savings),
        method: 'direct deposit',
        ach_deposit_account: {
          bank_name: BANK,
          routing_number: null,
          account_number: `********${SAVINGS_LAST4}`,
        },
        card: null,
      },
      {
        reference: `CHECKING *****${CHECKING_LAST4}`,
        amount: money(net - savings),
        method: 'direct deposit',
        ach_deposit_account: {
          bank_name: BANK,
          routing_number: null,
          account_number: `********${CHECKING_LAST4}`,
        },
        card: null,
      },
    ],
    hours_ytd: money(ytd.add(key('hours'), hours)),
    deductions_ytd: money(ytd.add(key('deductions'), deductions)),
    taxes_ytd: money(ytd.add(key('taxes'), taxes)),
    gross_pay_list: grossPayList,
    gross_pay_list_totals: {
      base: total(amounts.base, baseYtd, amounts.baseHours, baseHoursYtd),
      overtime: total(amounts.overtime, overtimeYtd, amounts.overtimeHours, overtimeHoursYtd),
      commission: null,
      bonus: total(amounts.bonus, bonusYtd, null, null),
      other: null,
    },
    employment: employment.id,
  };
  return { paystub, documentId };
}

/** A gig payout as Argyle records them: net = gross, no itemised lines, paid to the card. */
function gigPaystub(
  input: AccountModelInput,
  employment: Employment,
  index: number,
  earned: number,
  ytd: YearToDate,
  created: string,
): ArgylePaystub {
  const paid = payDate(input, index);
  const period = workPeriod(input, index);
  const key = (name: string) => `${employment.index}:${name}`;
  return {
    id: seededUuid(input.seed, `paystub:${employment.index}:${index}`),
    account: input.accountId,
    payroll_document: null,
    deduction_list: [],
    filing_status: [],
    tax_list: [],
    status: 'completed',
    paystub_date: midnight(paid),
    paystub_period: { start_date: midnight(period.start), end_date: midnight(period.end) },
    currency: 'USD',
    gross_pay: money(earned),
    deductions: null,
    taxes: null,
    net_pay: money(earned),
    reimbursements: null,
    hours: null,
    fees: null,
    net_pay_ytd: money(ytd.add(key('net'), earned)),
    gross_pay_ytd: money(ytd.add(key('gross'), earned)),
    metadata: {},
    employer: employment.employer,
    employer_address: null,
    created_at: created,
    updated_at: created,
    destinations: [
      {
        reference: `Visa ****${CARD_LAST4}`,
        amount: money(earned),
        method: 'instant payout',
        ach_deposit_account: null,
        card: { card_number: `****${CARD_LAST4}`, card_name: 'Visa' },
      },
    ],
    hours_ytd: '0.00',
    deductions_ytd: '0.00',
    taxes_ytd: '0.00',
    gross_pay_list: [],
    gross_pay_list_totals: null,
    employment: employment.id,
  };
}

/** A year-end form for each calendar year the history covers completely (W-2 for payroll, 1099 for gig work). */
function yearEndDocument(
  input: AccountModelInput,
  employment: Employment,
  year: number,
  created: string,
): DataRow<PayrollDocumentWire> {
  const gig = input.item.kind === 'gig';
  const id = seededUuid(input.seed, `document:${gig ? '1099' : 'w2'}:${employment.index}:${year}`);
  const available = Date.UTC(year + 1, 0, 31);
  return {
    id,
    sortMs: available,
    employment: employment.id,
    wire: {
      id,
      account: input.accountId,
      document_number: null,
      available_date: seconds(available),
      expiration_date: null,
      employer: employment.employer,
      employment: employment.id,
      document_type: gig ? '1099' : 'W-2',
      document_type_description: gig ? `1099 Form ${year}` : `W-2 ${year}`,
      created_at: created,
      updated_at: created,
      ocr_data: {},
      metadata: {},
    },
  };
}

/**
 * The records pay periods `[from, to)` add, created at `createdAt`. Year-to-date sums run from period 0, so the
 * same period always has the same numbers whenever it is generated.
 */
export function generatePeriods(
  input: AccountModelInput,
  from: number,
  to: number,
  createdAt: Date,
): AccountData {
  const data = emptyAccountData();
  const created = iso(createdAt.getTime());
  for (const employment of employmentsOf(input)) {
    const ytd = new YearToDate();
    for (let index = 0; index < to; index++) {
      const paid = payDate(input, index);
      ytd.enter(paid);
      const emit = index >= from;
      if (input.item.kind === 'gig') {
        const period = gigPeriod(input, employment, index, created, emit);
        const paystub = gigPaystub(input, employment, index, period.earned, ytd, created);
        if (!emit) continue;
        data.gigs.push(...period.gigs);
        data.shifts.push(...period.shifts);
        data.paystubs.push({ id: paystub.id, sortMs: paid, employment: employment.id, wire: paystub });
        continue;
      }
      const { paystub, documentId } = payrollPaystub(input, employment, index, ytd, created);
      if (!emit) continue;
      data.paystubs.push({ id: paystub.id, sortMs: paid, employment: employment.id, wire: paystub });
      data.payrollDocuments.push({
        id: documentId,
        sortMs: paid,
        employment: employment.id,
        wire: {
          id: documentId,
          account: input.accountId,
          document_number: String(index + 1).padStart(6, '0'),
          available_date: seconds(paid),
          expiration_date: null,
          employer: employment.employer,
          employment: employment.id,
          document_type: 'payout-statement',
          document_type_description: 'Paystub',
          created_at: created,
          updated_at: created,
          ocr_data: {},
          metadata: {},
        },
      });
    }
  }
  return data;
}

/** Everything the first sync finds: base records, the whole pay history up to `connectedAt`, and year-end forms. */
export function generateAccountData(input: AccountModelInput): AccountData {
  const employments = employmentsOf(input);
  const data = baseRecords(input, employments);
  const periods = generatePeriods(input, 0, periodsUntil(input, input.connectedAt), input.connectedAt);
  const created = iso(input.connectedAt.getTime());
  const lastYear = input.connectedAt.getUTCFullYear() - 1;
  const firstFullYear = new Date(payDate(input, 0)).getUTCFullYear() + 1;
  for (const key of Object.keys(data) as (keyof AccountData)[]) {
    (data[key] as DataRow<unknown>[]).push(...(periods[key] as DataRow<unknown>[]));
  }
  for (const employment of employments) {
    for (let year = firstFullYear; year <= lastYear; year++) {
      data.payrollDocuments.push(yearEndDocument(input, employment, year, created));
    }
  }
  return data;
}
