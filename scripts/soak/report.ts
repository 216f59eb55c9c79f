/** Printing the soak's figures, and its section of docs/reliability.md. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Chaos } from './chaos';
import type { CheckReport } from './checks';
import type { Driver } from './driver';
import { PROCESSES } from './plan';

export interface SoakSummary {
  command: string;
  startedAt: Date;
  durationMs: number;
  machine: string;
  report: CheckReport;
  chaos: Chaos;
  driver: Driver;
  workerStarts: number;
  workerCrashes: string[];
  apiRequests: number;
  apiByStatusClass: Record<string, number>;
}

/** "completed/completed" style keys counted per process. */
export function outcomeTable(report: CheckReport): { process: string; total: number; states: [string, number][] }[] {
  return PROCESSES.map((p) => {
    const mine = report.outcomes.filter((o) => o.process === p);
    const counts = new Map<string, number>();
    for (const o of mine) {
      const k = `${o.status} (${o.stage})`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return { process: p, total: mine.length, states: [...counts].sort((a, b) => b[1] - a[1]) };
  });
}

export function chaosLine(c: Chaos): string[] {
  return [
    `worker SIGKILLs survived: ${c.workerKills} (restarted at once; ${c.killsSkipped} tick(s) skipped while the other worker was still starting)`,
    `Temporal dev server restarts survived: ${c.devServerRestarts}`,
    `Postgres restarts survived: ${c.postgresRestarts}`,
    `SMTP outages (15 s 421 at greeting + 15 s not listening): ${c.smtpOutages}`,
    `supplier ERP outages (30 s of 503): ${c.supplierOutages}`,
    `price channel outages (30 s of 503 on POS and e-commerce): ${c.channelOutages}`,
  ];
}

export function printSummary(s: SoakSummary, write: (line: string) => void): void {
  const { report, driver } = s;
  const f = report.figures;
  write('');
  write(`Runs by process and final state (Temporal status, BusinessStatus stage): ${report.outcomes.length} runs`);
  for (const row of outcomeTable(report)) {
    write(`  ${row.process.padEnd(24)} ${String(row.total).padStart(5)}  ${row.states.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  const resubmitted = driver.runs.filter((r) => r.resubmittedAfter && r.id);
  if (resubmitted.length) {
    const by = new Map<string, number>();
    for (const r of resubmitted) by.set(`${r.spec.process} ${r.resubmittedAfter}`, (by.get(`${r.spec.process} ${r.resubmittedAfter}`) ?? 0) + 1);
    write(`Starts refused, then resubmitted within the guardrails and started: ${resubmitted.length}: ${[...by].map(([k, n]) => `${k} x${n}`).join('; ')}`);
  }
  const refused = driver.runs.filter((r) => r.refusal);
  if (refused.length) {
    const by = new Map<string, number>();
    for (const r of refused) by.set(`${r.spec.process} ${r.refusal}`, (by.get(`${r.spec.process} ${r.refusal}`) ?? 0) + 1);
    write(`Starts refused by the API (not runs): ${refused.length}: ${[...by].map(([k, n]) => `${k} x${n}`).join('; ')}`);
  }
  write(
    `Decisions accepted (200): ${driver.accepted.length} (${driver.accepted.filter((d) => d.decision === 'reject').length} rejections, ${driver.accepted.filter((d) => d.override).length} overrides); refused: ${JSON.stringify(driver.refusedDecisions)}; retried after no answer or 5xx: ${driver.decisionRetries}`,
  );
  for (const e of driver.refusedExamples) write(`  refused: ${e}`);
  if (driver.notStartedForTime > 0) write(`NOT STARTED for lack of time (--max-minutes): ${driver.notStartedForTime} of ${driver.runs.length} planned runs`);
  write(
    `Cancels requested: ${driver.cancelsRequested} (of which campaigns held by the frequency cap past the drain: ${driver.heldCampaignsCancelled}); start retries after no answer or 5xx: ${driver.startRetries}`,
  );
  write(`API requests: ${s.apiRequests} ${JSON.stringify(s.apiByStatusClass)}`);
  write('');
  write('Faults survived:');
  for (const l of chaosLine(s.chaos)) write(`  ${l}`);
  if (s.workerCrashes.length) write(`  workers that exited on their own (restarted): ${s.workerCrashes.length}: ${s.workerCrashes.slice(0, 5).join('; ')}`);
  if (s.chaos.failures.length) write(`  faults that could not be applied: ${s.chaos.failures.join('; ')}`);
  write('');
  write('Checked from SMTP, the simulator and Postgres:');
  write(
    `  purchase orders: ${f.purchaseOrdersChecked} in Postgres, ${f.purchaseOrdersAtSupplier} received by the supplier (${f.supplierReplaysAbsorbed} resends answered from the idempotency key)`,
  );
  write(
    `  emails: ${f.emailsChecked} intended, ${f.emailsCrossedSmtp} crossed SMTP, withdrawn unsent (decided first) ${f.emailsWithdrawn}, UNKNOWN ${f.emailsUnknown.length}${
      f.emailsUnknown.length
        ? ` (${f.emailsUnknown
            .slice(0, 10)
            .map((u) => `${u.key} ${u.status} crossed ${u.crossed}`)
            .join('; ')})`
        : ''
    }`,
  );
  write(`  price pushes: ${f.pricePushesChecked} (${f.channelReplaysAbsorbed} resends answered from the idempotency key)`);
  write(`  appointment recoveries checked against holds, suites and assignments: ${f.recoveriesChecked}`);
  write(`  decisions checked in approval decisions and audit: ${f.decisionsChecked}`);
  write(`  duplicates found: emails ${f.duplicates.emails}, purchase orders ${f.duplicates.purchaseOrders}, price pushes ${f.duplicates.pricePushes}`);
  write('');
  if (report.breaches.length === 0) {
    write('No breach.');
  } else {
    write(`BREACHES: ${report.breaches.length}`);
    for (const b of report.breaches) {
      write(`  [${b.check}] ${b.process}: ${b.detail}: ${b.ids.length}`);
      for (const id of b.ids.slice(0, 15)) write(`      ${id}`);
      if (b.ids.length > 15) write(`      ... ${b.ids.length - 15} more`);
    }
  }
}

const BEGIN = '<!-- soak:begin -->';
const END = '<!-- soak:end -->';

const SKELETON = `# Reliability

Figures of the last full runs of the fuzz and soak scripts, written by the scripts themselves.

## Fuzz run (\`npm run fuzz\`)

<!-- fuzz:begin -->
Not run yet.
<!-- fuzz:end -->

## Chaos soak (\`npm run soak\`)

${BEGIN}
Not run yet.
${END}
`;

export function soakSection(s: SoakSummary): string {
  const f = s.report.figures;
  const lines: string[] = [];
  lines.push(`Last full run: ${s.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')}, \`${s.command}\`, ${(s.durationMs / 60_000).toFixed(1)} minutes.`);
  lines.push(`Machine: ${s.machine}.`);
  lines.push('');
  lines.push(
    'Own infrastructure: a Temporal dev server (SQLite file) on a free port, a scratch database seeded with the demo data, an in-process SMTP server and simulator, the API (api/main.ts) and two workers (workers/main.ts) on one task queue as child processes. Runs are started and decided over the API by the demo principals.',
  );
  lines.push('');
  lines.push('| process | runs | final states (Temporal status, stage) |');
  lines.push('|---|---:|---|');
  for (const row of outcomeTable(s.report)) lines.push(`| ${row.process} | ${row.total} | ${row.states.map(([k, n]) => `${k}: ${n}`).join(', ')} |`);
  lines.push(`| **all** | **${s.report.outcomes.length}** | |`);
  lines.push('');
  if (s.driver.notStartedForTime > 0) {
    lines.push(
      `**Short of the 1,000-run target**: ${s.driver.runs.length - s.driver.notStartedForTime} of ${s.driver.runs.length} planned runs were started before the time budget for starting (\`--max-minutes\`) ran out on this machine.`,
    );
    lines.push('');
  }
  const refusedStarts = s.driver.runs.filter((r) => r.refusal).length;
  const resubmittedStarts = s.driver.runs.filter((r) => r.resubmittedAfter && r.id).length;
  if (refusedStarts || resubmittedStarts) {
    lines.push(
      `Starts the API refused (422, a price cut past the guardrails): ${resubmittedStarts} resubmitted by the driver as a small rise and started (counted above), ${refusedStarts} not started.`,
    );
    lines.push('');
  }
  lines.push(
    `Decisions accepted over the API: ${s.driver.accepted.length} (${s.driver.accepted.filter((d) => d.decision === 'reject').length} rejections, ${s.driver.accepted.filter((d) => d.override).length} overrides); cancels requested: ${s.driver.cancelsRequested}; API requests: ${s.apiRequests}.`,
  );
  lines.push('');
  lines.push('Faults survived:');
  lines.push('');
  for (const l of chaosLine(s.chaos)) lines.push(`- ${l}`);
  lines.push('');
  lines.push('Checked at the end from SMTP, the simulator and Postgres (not from the workflows’ own view):');
  lines.push('');
  lines.push(`- every run reached a final state: ${s.report.breaches.some((b) => b.check === 'final state') ? 'NO' : 'yes'}`);
  lines.push(
    `- purchase orders: ${f.purchaseOrdersChecked} in Postgres, ${f.purchaseOrdersAtSupplier} at the supplier, each exactly once (${f.supplierReplaysAbsorbed} resends absorbed by the idempotency key)`,
  );
  lines.push(
    `- emails: ${f.emailsChecked} intended, ${f.emailsCrossedSmtp} crossed SMTP; withdrawn unsent because the approval was decided first: ${f.emailsWithdrawn}; UNKNOWN: ${f.emailsUnknown.length}`,
  );
  lines.push(`- price pushes: ${f.pricePushesChecked}, each applied exactly once (${f.channelReplaysAbsorbed} resends absorbed)`);
  lines.push(`- item holds, suite reservations and assignments of ${f.recoveriesChecked} appointment recoveries match their final states`);
  lines.push(`- decisions accepted with 200 found in approval decisions and audit: ${f.decisionsChecked}`);
  lines.push(
    `- duplicates found: ${f.duplicates.emails + f.duplicates.purchaseOrders + f.duplicates.pricePushes} (emails ${f.duplicates.emails}, purchase orders ${f.duplicates.purchaseOrders}, price pushes ${f.duplicates.pricePushes})`,
  );
  lines.push(
    `- breaches: ${s.report.breaches.length === 0 ? '0' : s.report.breaches.map((b) => `${b.check} / ${b.process}: ${b.ids.length} (${b.detail})`).join('; ')}`,
  );
  return lines.join('\n');
}

/** Rewrites only the soak section (between its markers), creating the file with both sections if missing. */
export function publishSection(file: string, section: string): void {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, SKELETON);
  }
  let text = readFileSync(file, 'utf8');
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) {
    text = `${text.replace(/\s*$/, '')}\n\n## Chaos soak (\`npm run soak\`)\n\n${BEGIN}\n${END}\n`;
  }
  const b2 = text.indexOf(BEGIN);
  const e2 = text.indexOf(END);
  writeFileSync(file, `${text.slice(0, b2 + BEGIN.length)}\n${section}\n${text.slice(e2)}`);
}
