import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findTransition, SIGNAL_RESOLUTION } from './transitions.js';
import { CONNECTION_STATES, TERMINAL_STATES } from './types.js';

/** Renders the transition table the way docs/concepts.md shows it. */
function renderTable(): string {
  const header = `| from \\ to | ${CONNECTION_STATES.map((s) => `\`${s}\``).join(' | ')} |`;
  const divider = `|---|${CONNECTION_STATES.map(() => '---').join('|')}|`;
  const rows = CONNECTION_STATES.map((from) => {
    const cells = CONNECTION_STATES.map((to) => {
      if (from === to) return TERMINAL_STATES.includes(from) ? '✗' : 'same';
      const rule = findTransition(from, to);
      if (rule) return rule.event ? rule.event.replace('connection.', '') : 'state_changed';
      const alias = SIGNAL_RESOLUTION.find((r) => r.current === from && r.signal === to);
      return alias ? `→ ${alias.resolved}` : '✗';
    });
    return `| \`${from}\` | ${cells.join(' | ')} |`;
  });
  return [header, divider, ...rows].join('\n');
}

describe('docs/concepts.md', () => {
  it('shows the transition table exactly as the code defines it', () => {
    const doc = readFileSync(new URL('../../../docs/concepts.md', import.meta.url), 'utf8');
    const match = /<!-- transition-table:start -->\n([\s\S]*?)\n<!-- transition-table:end -->/.exec(doc);
    expect(match?.[1]).toBe(renderTable());
  });
});
