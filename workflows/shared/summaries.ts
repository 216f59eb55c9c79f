/**
 * Summaries on a run's commands, so its timeline in the Temporal UI reads as the process ("Send
 * PO-S001-… to Atelier Nord", "Wait for the effective time 2026-12-03 06:00 PST") rather than
 * activity types and timer numbers. They are user metadata on the command: replay does not compare
 * them, so changing a text needs no patch.
 */
import { oneLine } from '../../domain/run-summaries';

/** An activity proxy's function (remote or local): callable, and with per-call options. */
type ActivityWithOptions = ((...args: any[]) => Promise<unknown>) & {
  executeWithOptions(options: { summary?: string }, args: any[]): Promise<unknown>;
};

/** The activity, called with `summary` shown on its event: `named(acts.sendPurchaseOrder, \`Send ${po} to ${supplier}\`)(args)`. */
export function named<F extends ActivityWithOptions>(fn: F, summary: string): (...args: Parameters<F>) => ReturnType<F> {
  return (...args) => fn.executeWithOptions({ summary: oneLine(summary) }, args) as ReturnType<F>;
}

/** Timer options with a summary, for `wf.sleep(ms, timer('…'))` and `wf.condition(fn, ms, timer('…'))`. */
export function timer(summary: string): { summary: string } {
  return { summary: oneLine(summary) };
}
