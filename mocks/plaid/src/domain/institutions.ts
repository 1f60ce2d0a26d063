/** The Sandbox institutions the mock knows (ids and names as Plaid's Sandbox documents them). */
export interface SandboxInstitution {
  readonly institution_id: string;
  readonly name: string;
  readonly products: readonly string[];
  readonly url: string | null;
}

/** What Plaid's Sandbox banks offer (the products the mock's Items can be created with). */
const BANK_PRODUCTS = [
  'assets',
  'auth',
  'balance',
  'employment',
  'identity',
  'income_verification',
  'investments',
  'liabilities',
  'signal',
  'statements',
  'transactions',
] as const;

export const SANDBOX_INSTITUTIONS: readonly SandboxInstitution[] = [
  {
    institution_id: 'ins_109508',
    name: 'First Platypus Bank',
    products: BANK_PRODUCTS,
    url: 'https://www.platypus.example',
  },
  { institution_id: 'ins_109509', name: 'First Gingham Credit Union', products: BANK_PRODUCTS, url: null },
  {
    institution_id: 'ins_109510',
    name: 'Tattersall Federal Credit Union',
    products: BANK_PRODUCTS,
    url: null,
  },
  { institution_id: 'ins_109511', name: 'Tartan Bank', products: BANK_PRODUCTS, url: null },
  { institution_id: 'ins_92', name: 'ADP', products: ['income_verification', 'employment'], url: null },
];

export const DEFAULT_INSTITUTION_ID = 'ins_109508';

export function findInstitution(id: string): SandboxInstitution | undefined {
  return SANDBOX_INSTITUTIONS.find((institution) => institution.institution_id === id);
}
