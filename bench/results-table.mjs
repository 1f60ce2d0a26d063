/** Prints bench/results.json as the Markdown table used in docs/benchmarks.md. */
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8'));
const number = (value) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : String(value));
const rows = results.benchmarks.flatMap((benchmark) =>
  (benchmark.figures ?? []).map((fig) => {
    const target = fig.target
      ? `${fig.target.op} ${fig.target.value.toLocaleString('en-US')}${fig.target.on === 'ratio' ? '' : ` ${fig.unit}`}`
      : 'none';
    const measured =
      fig.target?.on === 'subject median' ? `${number(fig.subject.median)} ${fig.unit}` : `${fig.ratio}`;
    const sides = fig.baseline
      ? `${number(fig.subject.median)} vs ${number(fig.baseline.median)} ${fig.unit}`
      : `${number(fig.subject.median)} ${fig.unit}`;
    const verdict = fig.met === undefined ? 'info' : fig.met ? 'met' : '**missed**';
    return `| ${fig.title} | ${measured} | ${target} | ${verdict} | ${sides} |`;
  }),
);
const failed = results.benchmarks
  .filter((b) => b.error)
  .map((b) => `| ${b.name} | failed: ${b.error.split('\n')[0]} | | | |`);
console.log('| Figure | Measured | Target | | Medians (subject vs baseline) |');
console.log('|---|---|---|---|---|');
for (const row of [...rows, ...failed]) console.log(row);
