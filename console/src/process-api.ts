/** Typed per-process calls: each process has its own state and decision schema in the OpenAPI document. */
import { api, must, type Process, type Schemas } from './api';
import type { paths } from './generated/api';

export interface StateOf {
  'appointment-recoveries': Schemas['AppointmentRecoveryState'];
  replenishments: Schemas['ReplenishmentState'];
  'price-changes': Schemas['PriceChangeState'];
  campaigns: Schemas['CampaignState'];
  'model-retrainings': Schemas['ModelRetrainingState'];
}
export type AnyState = { [P in Process]: { process: P; state: StateOf[P] } }[Process];
export type DecisionBody<P extends Process> = paths[`/api/v1/${P}/{id}/decisions`]['post']['requestBody'] extends infer B
  ? B extends { content: { 'application/json': infer J } }
    ? J
    : never
  : never;

/**
 * A run's state. `include: 'context'` adds what the process reads from Postgres for a person
 * deciding or following the run (previews, line explanations, delivery); without it the read is
 * one describe and one workflow query.
 */
export async function getState(process: Process, id: string, include?: 'context'): Promise<AnyState> {
  const path = { params: { path: { id }, query: include ? { include } : {} } };
  switch (process) {
    case 'appointment-recoveries':
      return { process, state: must(await api.GET('/api/v1/appointment-recoveries/{id}', path)) };
    case 'replenishments':
      return { process, state: must(await api.GET('/api/v1/replenishments/{id}', path)) };
    case 'price-changes':
      return { process, state: must(await api.GET('/api/v1/price-changes/{id}', path)) };
    case 'campaigns':
      return { process, state: must(await api.GET('/api/v1/campaigns/{id}', path)) };
    case 'model-retrainings':
      return { process, state: must(await api.GET('/api/v1/model-retrainings/{id}', path)) };
  }
}

/** Posts a decision; resolves with nothing, throws an ApiError with the API's detail when refused. */
export async function decide<P extends Process>(process: P, id: string, body: DecisionBody<P>): Promise<void> {
  const params = { params: { path: { id } } };
  switch (process) {
    case 'appointment-recoveries':
      must(await api.POST('/api/v1/appointment-recoveries/{id}/decisions', { ...params, body: body as DecisionBody<'appointment-recoveries'> }));
      return;
    case 'replenishments':
      must(await api.POST('/api/v1/replenishments/{id}/decisions', { ...params, body: body as DecisionBody<'replenishments'> }));
      return;
    case 'price-changes':
      must(await api.POST('/api/v1/price-changes/{id}/decisions', { ...params, body: body as DecisionBody<'price-changes'> }));
      return;
    case 'campaigns':
      must(await api.POST('/api/v1/campaigns/{id}/decisions', { ...params, body: body as DecisionBody<'campaigns'> }));
      return;
    case 'model-retrainings':
      must(await api.POST('/api/v1/model-retrainings/{id}/decisions', { ...params, body: body as DecisionBody<'model-retrainings'> }));
      return;
  }
}

export async function cancelRun(process: Process, id: string, reason: string): Promise<void> {
  const req = { params: { path: { id } }, body: { reason } };
  switch (process) {
    case 'appointment-recoveries':
      must(await api.POST('/api/v1/appointment-recoveries/{id}/cancel', req));
      return;
    case 'replenishments':
      must(await api.POST('/api/v1/replenishments/{id}/cancel', req));
      return;
    case 'price-changes':
      must(await api.POST('/api/v1/price-changes/{id}/cancel', req));
      return;
    case 'campaigns':
      must(await api.POST('/api/v1/campaigns/{id}/cancel', req));
      return;
    case 'model-retrainings':
      must(await api.POST('/api/v1/model-retrainings/{id}/cancel', req));
      return;
  }
}

export async function listRuns(process: Process, status: 'running' | 'completed' | 'failed' | 'cancelled' | undefined) {
  const query = { params: { query: { status, pageSize: 50 } } };
  switch (process) {
    case 'appointment-recoveries':
      return must(await api.GET('/api/v1/appointment-recoveries', query)).items;
    case 'replenishments':
      return must(await api.GET('/api/v1/replenishments', query)).items;
    case 'price-changes':
      return must(await api.GET('/api/v1/price-changes', query)).items;
    case 'campaigns':
      return must(await api.GET('/api/v1/campaigns', query)).items;
    case 'model-retrainings':
      return must(await api.GET('/api/v1/model-retrainings', query)).items;
  }
}
