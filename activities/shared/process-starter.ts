/**
 * Starts a process (or finds the run already started for its business key). Activities that start
 * processes (the Schedules' kickoffs, the appointment scanner) get one injected: the starters live
 * with each process's API definition (api/processes/<resource>/starter.ts), wired in by the worker.
 */
export type ProcessStarter<Input> = (input: Input, at: Date) => Promise<{ workflowId: string; created: boolean }>;
