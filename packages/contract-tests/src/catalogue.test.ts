import { CONNECTION_STATES } from '@reconnect-kit/core';
import { describe, expect, it } from 'vitest';
import { parseScenarioCatalogue, scenarioEntrySchema } from './catalogue.js';

const entry = (id: string) => ({
  id,
  description: 'The vendor signed the connection out.',
  input: { target: '<connection id>' },
  vendor_signal: 'account.updated status=reauth',
  expected_state: 'needs_reauth',
  expected_events: ['account.updated'],
  user_fix: 'Sign in again.',
});
const valid = () => ({
  provider: 'acme',
  scenarios: [entry('acme.reauth'), entry('acme.expired')],
  detection: {
    'acme.reauth': { detected_by: ['webhook', 'status_check'] },
    'acme.expired': { detected_by: ['reconnect_attempt'], preceded_by: ['acme.reauth'] },
  },
});

describe('parseScenarioCatalogue', () => {
  it("lists exactly core's canonical states (catalogue.ts keeps its own copy: the docs generator loads it alone)", () => {
    expect(scenarioEntrySchema.shape.expected_state.options).toEqual([...CONNECTION_STATES]);
  });

  it('merges each entry with how it is detected', () => {
    const catalogue = parseScenarioCatalogue(valid());
    expect(catalogue.scenarios.map((s) => [s.id, s.detected_by, s.preceded_by])).toEqual([
      ['acme.reauth', ['webhook', 'status_check'], undefined],
      ['acme.expired', ['reconnect_attempt'], ['acme.reauth']],
    ]);
  });

  it.each([
    [
      'a non-canonical expected_state',
      (c: ReturnType<typeof valid>) => Object.assign(c.scenarios[0]!, { expected_state: 'broken' }),
      'scenarios.0.expected_state',
    ],
    [
      'an unknown detection way',
      (c: ReturnType<typeof valid>) => Object.assign(c.detection['acme.reauth'], { detected_by: ['email'] }),
      'detection.acme.reauth.detected_by.0',
    ],
    [
      'an id of another provider',
      (c: ReturnType<typeof valid>) => Object.assign(c.scenarios[1]!, { id: 'other.reauth' }),
      'scenarios.1.id',
    ],
    [
      'a duplicate id',
      (c: ReturnType<typeof valid>) => Object.assign(c.scenarios[1]!, { id: 'acme.reauth' }),
      'scenarios.1.id',
    ],
    [
      'a scenario without detection',
      (c: ReturnType<typeof valid>) => c.scenarios.push(entry('acme.new')),
      'detection',
    ],
    [
      'detection for no scenario',
      (c: ReturnType<typeof valid>) =>
        Object.assign(c.detection, { 'acme.gone': { detected_by: ['webhook'] } }),
      'detection.acme.gone',
    ],
    [
      'preceded_by an unknown scenario',
      (c: ReturnType<typeof valid>) =>
        Object.assign(c.detection['acme.expired'], { preceded_by: ['acme.nope'] }),
      'detection.acme.expired.preceded_by',
    ],
    [
      'an unknown field',
      (c: ReturnType<typeof valid>) => Object.assign(c.scenarios[0]!, { severity: 'high' }),
      'scenarios.0',
    ],
  ])('refuses %s, naming where', (_what, corrupt, at) => {
    const catalogue = valid();
    corrupt(catalogue);
    expect(() => parseScenarioCatalogue(catalogue, 'acme.json')).toThrow(`acme.json is invalid at "${at}"`);
  });
});
