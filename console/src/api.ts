/**
 * The console's API client: openapi-fetch over the types openapi-typescript generated from the
 * API's own OpenAPI document (src/generated/api.ts, written by scripts/build-console.sh), so every
 * path, query, body and response below is checked against the API the console is served by.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './generated/api';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type Me = Schemas['Me'];
export type InboxItem = Schemas['ApprovalInboxItem'];

/**
 * What the console reads of any process's pending approval (each process types its own, with its
 * own `details`; they all have these fields).
 */
export interface PendingApproval {
  requestId: string;
  subjectType: string;
  subjectId: string;
  title: string;
  level: number;
  levelCount: number;
  levelLabel: string;
  approvers: { role: string; scope: { storeId?: string; regionId?: string; category?: string } }[];
  dueAt: string;
  expiresAt: string;
  escalated: boolean;
}

export const PROCESSES = ['appointment-recoveries', 'replenishments', 'price-changes', 'campaigns', 'model-retrainings'] as const;
export type Process = (typeof PROCESSES)[number];
export const isProcess = (s: string | undefined): s is Process => (PROCESSES as readonly string[]).includes(s ?? '');

export const PROCESS_LABELS: Record<Process, string> = {
  'appointment-recoveries': 'Appointment recovery',
  replenishments: 'Replenishment',
  'price-changes': 'Price change',
  campaigns: 'Campaign',
  'model-retrainings': 'Model retraining',
};

let apiKey: string | null = null;
export function setApiKey(key: string | null): void {
  apiKey = key;
}

const bearer: Middleware = {
  onRequest({ request }) {
    if (apiKey && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${apiKey}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(bearer);

/** What a person should read about a failed call: the problem's detail (and each invalid field), else its title or status. */
export function problemText(error: unknown, response?: Response): string {
  if (error && typeof error === 'object') {
    const p = error as Partial<Problem> & { errors?: { field: string; message: string }[] };
    const fields = (p.errors ?? []).map((e) => `${e.field}: ${e.message}`);
    const head = p.detail ?? p.title;
    if (head) return fields.length ? `${head} (${fields.join('; ')})` : head;
  }
  if (response) return `The API answered ${response.status} ${response.statusText}.`;
  return error instanceof Error ? error.message : 'The request failed.';
}

/** Thrown by `must` so a page can show the API's own words. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The data of an openapi-fetch result, or an ApiError carrying the problem's detail. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined || result.error !== undefined) throw new ApiError(problemText(result.error, result.response), result.response.status);
  return result.data;
}
