import type { Client } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import type { ZodObject, ZodRawShape } from 'zod';
import type { Role } from '../../domain/approval';
import type { Db } from '../../platform/db';
import type { StartedProcess } from '../../platform/appointment-recovery-starter';
import type { AuthedPrincipal } from '../auth';

export interface ProcessDeps {
  db: Db;
  client: Client;
  taskQueue: string;
}

/**
 * What a process contributes to the generic resource routes (start, get, list, decisions,
 * cancel): everything else about the HTTP contract is implemented once in routes/processes.ts.
 */
export interface ProcessDefinition<Body = unknown> {
  resource: string;
  processType: string;
  title: string;
  startRoles: readonly Role[];
  cancelRoles: readonly Role[];
  startSchema: ZodObject<ZodRawShape>;
  /** Process-specific decision fields (merged into the shared decision body). */
  decisionSchema: ZodObject<ZodRawShape>;
  start(deps: ProcessDeps, body: Body, principal: AuthedPrincipal, idempotencyKey?: string): Promise<StartedProcess>;
  stateQuery: QueryDefinition<object, []>;
  /** Moves process-specific decision fields into the Update's payload. */
  decisionPayload(body: Record<string, unknown>): Record<string, unknown> | undefined;
}
