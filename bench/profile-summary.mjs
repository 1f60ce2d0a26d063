/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof` or `node bench/run.mjs --cpu-prof`): the functions with
 * the most self time, and the workspace functions with the most total (inclusive) time, each as file:line name,
 * in percent of the busy (non-idle) time. Inclusive time stops at `await`s (a resumed async function starts a
 * new stack), so self time is the reliable column for async code.
 *
 *   node bench/profile-summary.mjs bench/profiles/ingest-sqlite.cpuprofile [top=25] [filter]
 *
 * `filter` keeps only frames whose URL contains it in the inclusive table (default: the workspace's dist/ code).
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './lib/packages.mjs';

function frameName({ functionName, url, lineNumber }) {
  const file = url.startsWith('file://') ? relative(ROOT, fileURLToPath(url)) : url || '(native)';
  return `${file}:${lineNumber + 1} ${functionName || '(anonymous)'}`;
}

/** A native leaf (a SQLite `run`, a hash `update`) is named with its JS caller, which is what one can change. */
function leafName(nodes, parent, id) {
  const frame = nodes.get(id).callFrame;
  const callerId = parent.get(id);
  if (frame.url || callerId === undefined || frame.functionName.startsWith('(')) return frameName(frame);
  const caller = nodes.get(callerId).callFrame;
  return `${frame.functionName} <- ${frameName(caller)}`;
}

export function summarise(profile, { top = 25, filter = '/dist/' } = {}) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Each sample is one tick of its leaf node; time deltas give the tick lengths.
  const selfMicros = new Map();
  profile.samples.forEach((id, index) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  // Percentages are of busy time: an idle server between load runs would otherwise dilute every figure.
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const total = [...selfMicros].reduce((sum, [id, micros]) => (idle.has(id) ? sum : sum + micros), 0);
  const self = new Map();
  const inclusive = new Map();
  for (const [id, micros] of selfMicros) {
    if (idle.has(id)) continue;
    const leaf = leafName(nodes, parent, id);
    self.set(leaf, (self.get(leaf) ?? 0) + micros);
    // Count each function once per sample even when it recurses.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at).callFrame;
      const name = frameName(frame);
      if (seen.has(name) || !frame.url.includes(filter)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + micros);
    }
  }
  const rows = (map) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
  return { busyMs: Math.round(total / 1000), self: rows(self), inclusive: rows(inclusive) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top, filter] = process.argv.slice(2);
  if (!file) throw new Error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top] [url filter]');
  const summary = summarise(JSON.parse(readFileSync(file, 'utf8')), {
    top: top ? Number(top) : undefined,
    filter,
  });
  console.log(`${summary.busyMs} ms busy (idle time left out)\n\nself time:\n${summary.self.join('\n')}`);
  console.log(`\ntotal time (frames matching the filter):\n${summary.inclusive.join('\n')}`);
}
