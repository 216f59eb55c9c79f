/**
 * The faults, on a timeline over the load: a worker SIGKILLed every 10 s (alternating, restarted at
 * once), SMTP failing for 30 s (421 at the greeting, then not listening), the supplier ERP and the
 * channel price endpoints failing for 30 s each, one dev-server restart and one Postgres restart.
 */
import type { SimulatorState } from '../../simulator/app';
import { restartPostgres, sleep, waitForPostgres, type DevServer, type WorkerProcess } from './infra';
import type { SoakSmtp } from './smtp';

export interface ChaosLog {
  at: number;
  what: string;
}

export class Chaos {
  readonly log: ChaosLog[] = [];
  workerKills = 0;
  /** Kill ticks skipped because the other worker was not polling yet (so one always serves). */
  killsSkipped = 0;
  devServerRestarts = 0;
  postgresRestarts = 0;
  smtpOutages = 0;
  supplierOutages = 0;
  channelOutages = 0;
  readonly active = new Set<string>();
  readonly failures: string[] = [];
  private stopped = false;
  private t0 = Date.now();

  constructor(
    private readonly deps: {
      workers: WorkerProcess[];
      devServer: DevServer;
      smtp: SoakSmtp;
      simulator: SimulatorState;
      postgres?: { cluster: { version: string; name: string }; url: string };
    },
  ) {}

  private note(what: string): void {
    this.log.push({ at: Date.now() - this.t0, what });
  }

  /** Runs the one-off faults over `durationMs` and the worker kills until stop(); resolves when every fault is over. */
  async run(durationMs: number): Promise<void> {
    this.t0 = Date.now();
    const at = (share: number) => sleep(Math.max(0, this.t0 + durationMs * share - Date.now()));
    const timeline: Promise<void>[] = [
      at(0.12).then(() => this.guard('smtp', () => this.smtpOutage())),
      at(0.28).then(() => this.guard('supplier', () => this.simulatorOutage('supplier ERP', ['supplier-po'], () => this.supplierOutages++))),
      at(0.42).then(() => this.guard('dev server', () => this.restartDevServer())),
      at(0.56).then(() => this.guard('channels', () => this.simulatorOutage('price channels', ['pos-price', 'ecommerce-price'], () => this.channelOutages++))),
    ];
    if (this.deps.postgres) timeline.push(at(0.7).then(() => this.guard('postgres', () => this.restartPostgres())));
    this.oneOffsDone = Promise.all(timeline).then(() => undefined);
    await Promise.all([this.killLoop(), this.oneOffsDone]);
  }

  /** Resolves once the one-off faults (all but the worker kills) are over. */
  oneOffsDone: Promise<void> = Promise.resolve();

  stop(): void {
    this.stopped = true;
  }

  private async guard(name: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      this.note(`${name} fault could not be applied: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async killLoop(): Promise<void> {
    const [a, b] = this.deps.workers as [WorkerProcess, WorkerProcess];
    let turn = 0;
    while (!this.stopped) {
      await sleep(10_000);
      if (this.stopped) break;
      const victim = turn % 2 === 0 ? a : b;
      const other = victim === a ? b : a;
      if (!other.ready) {
        this.killsSkipped++;
        continue;
      }
      turn++;
      await victim.kill();
      this.workerKills++;
      this.note(`SIGKILL ${victim.name} (pid ${victim.pid ?? '?'}), restarted`);
      victim.start();
    }
  }

  private async smtpOutage(): Promise<void> {
    const { smtp } = this.deps;
    this.active.add('smtp 421');
    this.note('SMTP answers 421 at the greeting (15 s)');
    smtp.refuseConnections = true;
    await sleep(15_000);
    smtp.refuseConnections = false;
    this.active.delete('smtp 421');
    this.active.add('smtp down');
    this.note('SMTP stops listening (15 s)');
    smtp.down();
    await sleep(15_000);
    await smtp.up();
    this.active.delete('smtp down');
    this.smtpOutages++;
    this.note('SMTP back');
  }

  private async simulatorOutage(name: string, routes: ('supplier-po' | 'pos-price' | 'ecommerce-price')[], count: () => void): Promise<void> {
    const sim = this.deps.simulator;
    this.active.add(name);
    this.note(`${name} answer 503 (30 s)`);
    const ids = routes.map(
      (route) => sim.addFault({ route, failTimes: 1_000_000_000, status: 503, delayMs: 0, failAfterEffect: false, duplicateDeliveries: 0 }).id,
    );
    await sleep(30_000);
    sim.faults = sim.faults.filter((f) => !ids.includes(f.id));
    this.active.delete(name);
    count();
    this.note(`${name} back`);
  }

  private async restartDevServer(): Promise<void> {
    this.active.add('dev server restart');
    this.note('Temporal dev server restarting');
    await this.deps.devServer.restart();
    this.devServerRestarts++;
    this.active.delete('dev server restart');
    this.note('Temporal dev server back');
  }

  private async restartPostgres(): Promise<void> {
    const pg = this.deps.postgres!;
    this.active.add('postgres restart');
    this.note(`Postgres ${pg.cluster.version}/${pg.cluster.name} restarting`);
    await restartPostgres(pg.cluster);
    await waitForPostgres(pg.url);
    this.postgresRestarts++;
    this.active.delete('postgres restart');
    this.note('Postgres back');
  }
}
