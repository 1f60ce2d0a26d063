/** Payroll providers the sandbox offers (ids as Finch spells them; `gusto` is the one Finch's own examples use). */
export const SANDBOX_PROVIDERS = [
  { id: 'gusto', displayName: 'Gusto' },
  { id: 'adp_run', displayName: 'ADP RUN' },
  { id: 'adp_workforce_now', displayName: 'ADP Workforce Now' },
  { id: 'bamboo_hr', displayName: 'BambooHR' },
  { id: 'justworks', displayName: 'Justworks' },
  { id: 'paychex_flex', displayName: 'Paychex Flex' },
  { id: 'paycom', displayName: 'Paycom' },
  { id: 'paylocity', displayName: 'Paylocity' },
  { id: 'quickbooks', displayName: 'QuickBooks Payroll' },
  { id: 'rippling', displayName: 'Rippling' },
  { id: 'trinet', displayName: 'TriNet' },
  { id: 'workday', displayName: 'Workday' },
] as const;

export function findProvider(id: string | null | undefined) {
  return SANDBOX_PROVIDERS.find((p) => p.id === id);
}

export const PROVIDER_IDS = SANDBOX_PROVIDERS.map((p) => p.id);

type SandboxProvider = (typeof SANDBOX_PROVIDERS)[number];

/** Products every sandbox provider offers (Finch Sandbox generates data for all of them). */
export const ALL_PRODUCTS = [
  'company',
  'directory',
  'individual',
  'employment',
  'payment',
  'pay_statement',
  'benefits',
  'documents',
  'plans',
  'plans_enrollments',
  'plans_dependents',
];

/** One `GET /providers` entry. */
export function providerListing(provider: SandboxProvider) {
  return {
    id: provider.id,
    display_name: provider.displayName,
    products: ALL_PRODUCTS,
    icon: `https://cdn.tryfinch.com/providers/${provider.id}/icon.svg`,
    logo: `https://cdn.tryfinch.com/providers/${provider.id}/logo.svg`,
    mfa_required: false,
    primary_color: '#3c2fea',
    manual: false,
    beta: false,
    authentication_methods: [
      { type: 'credential', benefits_support: {}, supported_fields: {} },
      { type: 'assisted', benefits_support: {}, supported_fields: {} },
    ],
  };
}
