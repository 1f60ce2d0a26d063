import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ABANDON_TABLE, findTransition, SIGNAL_RESOLUTION } from './transitions.js';
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

/** Renders the abandon rules the way docs/concepts.md lists them. */
function renderAbandonTable(): string {
  const rows = ABANDON_TABLE.map(
    (rule) =>
      `| \`${rule.from}\` | \`${rule.to}\` | ${rule.event?.replace('connection.', '') ?? 'state_changed'} |`,
  );
  return ['| from | back to | event |', '|---|---|---|', ...rows].join('\n');
}

describe('docs/concepts.md', () => {
  const doc = () => readFileSync(new URL('../../../docs/concepts.md', import.meta.url), 'utf8');

  it('shows the transition table exactly as the code defines it', () => {
    const match = /<!-- transition-table:start -->\n([\s\S]*?)\n<!-- transition-table:end -->/.exec(doc());
    expect(match?.[1]).toBe(renderTable());
  });

  it('shows the abandon rules exactly as the code defines them', () => {
    const match = /<!-- abandon-table:start -->\n([\s\S]*?)\n<!-- abandon-table:end -->/.exec(doc());
    expect(match?.[1]).toBe(renderAbandonTable());
  });
});
