/** The fuzz run's summary: requests by endpoint and status class, distinct failures with a reproduction; and its section of docs/reliability.md. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { dirname } from 'node:path';
import type { FuzzResult, Failure } from './run';
import { reproduction } from './run';
import type { SettleReport } from './settle';

const CLASSES = ['2xx', '3xx', '4xx', '5xx', 'timeout', 'error'];

export interface DistinctFailure {
  key: string;
  count: number;
  example: Failure;
}

/** Failures grouped by endpoint, status and what was wrong: one reproduction each. */
export function distinctFailures(failures: Failure[]): DistinctFailure[] {
  const groups = new Map<string, DistinctFailure>();
  for (const f of failures) {
    const what = f.problems.map((p) => p.replace(/\(\d+ chars\)/g, '')).join('; ');
    const key = `${f.op} → ${f.status}: ${what}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { key, count: 1, example: f });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

export function endpointRows(r: FuzzResult): string[][] {
  const rows = [['endpoint', 'requests', ...CLASSES]];
  const keys = r.operations.map((o) => o.key).filter((k) => r.byEndpoint.has(k));
  for (const k of keys) {
    const m = r.byEndpoint.get(k)!;
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    rows.push([k, String(total), ...CLASSES.map((c) => String(m.get(c) ?? 0))]);
  }
  return rows;
}

export function summary(r: FuzzResult, settled?: SettleReport): string {
  const lines: string[] = [];
  lines.push(
    `Fuzz run: ${r.requests} requests, seed ${r.seed}, ${(r.ms / 1000).toFixed(1)} s (${(r.requests / (r.ms / 1000)).toFixed(0)} req/s), ${r.operations.length} operations in the OpenAPI document`,
  );
  lines.push('');
  lines.push(
    'By status class: ' +
      CLASSES.filter((c) => r.byClass.has(c))
        .map((c) => `${c} ${r.byClass.get(c)}`)
        .join(', '),
  );
  lines.push(
    'By status: ' +
      [...r.byStatus.entries()]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([s, n]) => `${s} ${n}`)
        .join(', '),
  );
  lines.push(
    'By variant: ' +
      [...r.byVariant.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([v, n]) => `${v} ${n}`)
        .join(', '),
  );
  lines.push('');
  lines.push(...table(endpointRows(r)).map((l) => `  ${l}`));
  const neverOk = r.operations.filter((o) => r.validStatuses.has(o.key) && ![...r.validStatuses.get(o.key)!.keys()].some((s) => s.startsWith('2')));
  if (neverOk.length) {
    lines.push('');
    lines.push('Valid requests that never succeeded (what the system answered):');
    for (const o of neverOk) lines.push(`  ${o.key}: ${[...r.validStatuses.get(o.key)!.entries()].map(([s, n]) => `${s}×${n}`).join(', ')}`);
  }
  if (process.env.FUZZ_VERBOSE) for (const [k, v] of r.validSamples) lines.push(`  sample ${k}: ${v}`);
  if (settled) {
    lines.push('');
    const byFinal = new Map<string, number>();
    for (const s of settled.runs) byFinal.set(s.finalStatus ?? '?', (byFinal.get(s.finalStatus ?? '?') ?? 0) + 1);
    lines.push(
      `Processes the run started: ${settled.runs.length} (at the end: ${[...byFinal.entries()].map(([k, v]) => `${k.toLowerCase()} ${v}`).join(', ') || 'none'}); activities failing over and over: ${settled.stuck.length}; not closed after cancel: ${settled.notClosed.length}`,
    );
    for (const s of [...settled.stuck, ...settled.notClosed]) {
      lines.push(
        `  ${s.workflowId} (${s.statusAtEnd} → ${s.finalStatus}, cancel answered ${s.cancelAnswer ?? '-'}): ${s.pendingActivities.map((a) => `${a.type} attempt ${a.attempt}${a.lastFailure ? ` last failure "${a.lastFailure.slice(0, 160)}"` : ''}`).join('; ') || 'no pending activity'}`,
      );
    }
  }
  const distinct = distinctFailures(r.failures);
  lines.push('');
  lines.push(`Failures: ${r.failures.length}${distinct.length ? ` (${distinct.length} distinct)` : ''}`);
  for (const d of distinct) {
    lines.push(`  [${d.count}×] ${d.key}`);
    lines.push(`        variant ${d.example.variant}: ${reproduction(d.example.request)}`);
    if (d.example.response) lines.push(`        answered: ${d.example.response.replace(/\s+/g, ' ').slice(0, 240)}`);
  }
  return lines.join('\n');
}

export const RELIABILITY_DOC = 'docs/reliability.md';

export function machine(): string {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, ${platform()} ${release()}`;
}

/** Rewrites the text between the fuzz markers of docs/reliability.md (created with both sections' markers when missing). */
export function publish(file: string, r: FuzzResult, settled: SettleReport | undefined, command: string): void {
  const byClass = CLASSES.filter((c) => r.byClass.has(c))
    .map((c) => `${c} ${r.byClass.get(c)}`)
    .join(', ');
  const distinct = distinctFailures(r.failures);
  const section = [
    '<!-- fuzz:begin -->',
    '## Fuzz run',
    '',
    "Requests generated with fast-check from the API's own OpenAPI document (valid requests that start",
    'real processes and decide real approvals, and mutations of them: wrong types, missing and extra',
    'fields, huge strings and headers, control characters and NUL, invalid UTF-8, lone surrogates, deep',
    'nesting, forged ids and page tokens, wrong / missing / revoked keys, wrong content types), sent to',
    'the real API with a real Temporal dev server, Postgres and worker. Every response is checked: no',
    '5xx, every 4xx problem+json, every status documented, every body valid against the document (ajv,',
    'JSON Schema 2020-12), no request over 15 s; at the end every process the run started is closed or',
    'cancelled through the API and closes.',
    '',
    `- Machine: ${machine()}`,
    `- Command: \`${command}\``,
    `- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `- Seed: ${r.seed}`,
    `- Requests: ${r.requests} over ${r.operations.length} operations in ${(r.ms / 1000).toFixed(0)} s`,
    `- By status class: ${byClass}`,
    `- By status: ${[...r.byStatus.entries()]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}`,
    settled
      ? `- Processes started: ${settled.runs.length}; activities failing over and over: ${settled.stuck.length}; not closed after cancel: ${settled.notClosed.length}`
      : '- Processes started: not checked (no Temporal connection)',
    `- Failures: ${r.failures.length}${distinct.length ? ` (${distinct.length} distinct)` : ''}`,
    ...distinct.slice(0, 15).map((d) => `  - ×${d.count} ${d.example.op} → ${d.example.status}: ${d.example.problems[0]}`),
    '',
    '| endpoint | requests | 2xx | 4xx | 5xx | timeouts |',
    '|---|---:|---:|---:|---:|---:|',
    ...endpointRows(r)
      .slice(1)
      .map((row) => `| \`${row[0]}\` | ${row[1]} | ${row[2]} | ${row[4]} | ${row[5]} | ${Number(row[6]) + Number(row[7])} |`),
    '<!-- fuzz:end -->',
  ].join('\n');
  mkdirSync(dirname(file), { recursive: true });
  let text = existsSync(file)
    ? readFileSync(file, 'utf8')
    : '# Reliability\n\nFigures the scripts publish: `npm run fuzz` and `npm run soak` rewrite their own section.\n\n<!-- fuzz:begin -->\n<!-- fuzz:end -->\n\n<!-- soak:begin -->\n<!-- soak:end -->\n';
  const begin = text.indexOf('<!-- fuzz:begin -->');
  const end = text.indexOf('<!-- fuzz:end -->');
  if (begin === -1 || end === -1 || end < begin) text = `${text.trimEnd()}\n\n${section}\n`;
  else text = text.slice(0, begin) + section + text.slice(end + '<!-- fuzz:end -->'.length);
  writeFileSync(file, text);
}
