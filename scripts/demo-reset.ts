/**
 * `npm run demo:reset`: puts the demo scenario back — a new unassigned appointment for Victoria
 * Chen in S001 starting 58 minutes from now — and prints how to follow its recovery.
 *
 * `resetDemo` is the same work as a function, for the API and tests.
 */
import { createDb, type Db } from '../platform/db';
import { putScenarioInPlace, type ScenarioResult } from '../prisma/demo-scenario';
import { DEFAULT_DATABASE_URL, prepareDatabase, seed } from '../prisma/seed';

export interface DemoResetResult extends ScenarioResult {
  /** Workflow ID the appointment recovery runs under (`appointment-recovery-<appointmentId>`). */
  workflowId: string;
  /** A curl command that shows the recovery's state as Alex, S001's store manager. */
  curl: string;
}

export function recoveryCurl(appointmentId: string, baseUrl = 'http://127.0.0.1:3000'): string {
  return `curl -s -H 'Authorization: Bearer demo-key-alex' ${baseUrl}/api/v1/appointment-recoveries/appointment-recovery-${appointmentId}`;
}

export async function resetDemo(db: Db, opts: { now?: Date; baseUrl?: string } = {}): Promise<DemoResetResult> {
  const scenario = await putScenarioInPlace(db, opts.now ?? new Date());
  return {
    ...scenario,
    workflowId: `appointment-recovery-${scenario.appointmentId}`,
    curl: recoveryCurl(scenario.appointmentId, opts.baseUrl),
  };
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  await prepareDatabase(url);
  const db = createDb(url);
  try {
    // Cheap when the data is there (only checks principals); seeds a fresh database otherwise.
    // A demo command: the demo principals (demo-key-<id>) come with it.
    const { created } = await seed(db, { demo: true });
    if (created) console.log('Demo data was missing and has been seeded.');
    const baseUrl = process.env.PUBLIC_BASE_URL || `http://127.0.0.1:${process.env.PORT || 3000}`;
    const r = await resetDemo(db, { baseUrl });
    console.log(`Demo scenario reset: appointment ${r.appointmentId} for Victoria Chen (${r.customerId}) in S001,`);
    console.log(`starting ${r.startsAt.toISOString()} (in 58 minutes), no stylist assigned.`);
    console.log(`Appointment recovery workflow: ${r.workflowId}`);
    console.log(`Follow it with:\n  ${r.curl}`);
  } finally {
    await db.$disconnect();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
