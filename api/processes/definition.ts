import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { Router } from 'express';
import type { QueryDefinition } from '@temporalio/common';
import type { ZodObject, ZodRawShape, ZodType } from 'zod';
import type { Role } from '../../domain/approval';
import type { Db } from '../../platform/db';
import type { AuthedPrincipal } from '../auth';
import type { PageTokenCodec } from '../page-tokens';

export interface StartedProcess {
  workflowId: string;
  runId: string;
  /** False when a run for this business key already existed and was returned instead. */
  created: boolean;
}

export interface ProcessDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  pageTokens: PageTokenCodec;
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
  /** Which open approval a decision is about, where a run has several (e.g. the purchase order). */
  decisionSubject?(body: Record<string, unknown>): string | undefined;
  /** The process's state as GET /{resource}/{id} answers it (its own OpenAPI component); the generic ProcessState when absent. */
  stateSchema?: ZodType;
  /**
   * What a person deciding needs beyond the workflow's own state, read from Postgres: merged over
   * the state returned by GET /{resource}/{id} and the decision's 200 when asked for with
   * `?include=context` (the fields are optional in `stateSchema`).
   */
  context?(deps: ProcessDeps, state: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Fields computed from the state alone (no I/O): merged over every state the API answers. */
  derived?(state: Record<string, unknown>): Record<string, unknown>;
  /**
   * The workflow's result is its final state, what the state query answers once it completed:
   * `result` is then answered from the query instead of reading the result from the history too.
   */
  resultIsState?: boolean;
  /**
   * Whose business a run is: false for chain-wide work (a model retraining belongs to the
   * data-science team whatever stores it trains on), whose runs anyone may read by id; its stores
   * then only help find it. Store-scoped (true) when absent.
   */
  storeScoped?: boolean;
  /** The same for an approvals-inbox row: merged over the row's `details`. */
  approvalDetails?(db: Db, row: ApprovalRow): Promise<Record<string, unknown>>;
  /** The schema of an inbox row's `details` for this process (its own OpenAPI component). */
  approvalDetailsSchema?: ZodType;
  /** Process-specific calls under /{resource}/{id}/..., mounted beside the generic ones. */
  routes?(deps: ProcessDeps, tools: ProcessRouteTools): Router;
  /** Documents those calls in the OpenAPI document. */
  documentRoutes?(registry: OpenAPIRegistry, base: string): void;
}

export interface ProcessRouteTools {
  /** The run behind an ID, 404 when it is not this process, 403 when outside the caller's stores. */
  describe(id: string, principal: AuthedPrincipal): Promise<WorkflowExecutionDescription>;
}

/** An approvals-inbox row as stored (ApprovalRequest). */
export interface ApprovalRow {
  id: string;
  workflowId: string;
  subjectType: string;
  subjectId: string;
  storeId: string | null;
  details: unknown;
}
