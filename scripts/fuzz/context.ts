/** What the generator knows about the system under test: callers, reference data, and what the run learns as it goes. */
import type { Principal } from '../../domain/approval';

export interface Caller extends Principal {
  key: string;
}

/** The demo principals of DESIGN.md, their keys `demo-key-<id>`. */
export const DEMO_CALLERS: Caller[] = [
  { id: 'pos-gateway', role: 'system', allScopes: true, storeIds: [], regionIds: [], categories: [] },
  { id: 'alex', role: 'store_manager', allScopes: false, storeIds: ['S001'], regionIds: [], categories: [] },
  { id: 'taylor', role: 'store_manager', allScopes: false, storeIds: ['S002'], regionIds: [], categories: [] },
  { id: 'jordan', role: 'regional_manager', allScopes: false, storeIds: [], regionIds: ['WEST'], categories: [] },
  { id: 'casey', role: 'category_manager', allScopes: false, storeIds: [], regionIds: [], categories: ['womens-apparel'] },
  { id: 'morgan', role: 'marketing_manager', allScopes: true, storeIds: [], regionIds: [], categories: [] },
  { id: 'devi', role: 'data_scientist', allScopes: true, storeIds: [], regionIds: [], categories: [] },
  { id: 'sam', role: 'ops', allScopes: true, storeIds: [], regionIds: [], categories: [] },
  { id: 'maria', role: 'associate', allScopes: false, storeIds: ['S001'], regionIds: [], categories: [] },
].map((p) => ({ ...(p as Principal), key: `demo-key-${p.id}` }));

export interface ProductRef {
  sku: string;
  price: number;
  category: string;
}

export interface FuzzContext {
  callers: Caller[];
  /** Keys that must be refused: revoked, of an inactive principal (when the run could create them). */
  refusedKeys: string[];
  /** Stores valid starts name (replenishments, price changes), with their region. */
  stores: { id: string; regionId: string }[];
  /** Every store id reads may name. */
  readStoreIds: string[];
  products: ProductRef[];
  categories: string[];
  /** Appointments without a stylist that a recovery may start for. */
  appointmentIds: string[];
  stylistIds: string[];
  modelNames: string[];
  /** Signed one-click unsubscribe tokens (for addresses of no real customer), when the run knows a secret. */
  unsubscribeTokens: string[];
  /** Segments valid campaign starts use (small audiences: the run starts real sends). */
  segments: unknown[];
  /**
   * What valid requests may really do. A test sharing its database and dev server with other
   * suites turns off what would reach into their data.
   */
  allow: {
    /**
     * Address (decide, cancel, pause) processes the run did not start itself. Off in a test
     * sharing its dev server with other suites: their approvals are not the fuzz test's to decide.
     */
    othersProcesses: boolean;
    /** A data scientist starting a retraining of a real model (one per model and day). */
    modelRetrainingStarts: boolean;
    /** A data scientist rolling back a real model's champion. */
    rollback: boolean;
    /** Approving a campaign (real sends to its audience). */
    campaignApprovals: boolean;
  };
}

/** What the run learns from responses: the processes it started or listed, pending approvals, page tokens. */
export class LivePool {
  constructor(readonly ownOnly = false) {}
  readonly workflows = new Map<string, string[]>();
  readonly started = new Map<string, string>();
  pending: PendingApproval[] = [];
  readonly pageTokens: string[] = [];

  addWorkflow(resource: string, id: string, started = false) {
    if (this.ownOnly && !started && !this.started.has(id)) return;
    const ids = this.workflows.get(resource) ?? [];
    if (!ids.includes(id)) {
      ids.push(id);
      if (ids.length > 400) ids.shift();
    }
    this.workflows.set(resource, ids);
    if (started) this.started.set(id, resource);
  }

  workflowId(resource: string, pick: number): string | undefined {
    const ids = this.workflows.get(resource);
    return ids?.length ? ids[Math.floor(pick * ids.length)] : undefined;
  }

  pendingFor(resource: string, pick: number): PendingApproval | undefined {
    const mine = this.pending.filter((p) => p.resource === resource);
    return mine.length ? mine[Math.floor(pick * mine.length)] : undefined;
  }

  pageToken(pick: number): string | undefined {
    return this.pageTokens.length ? this.pageTokens[Math.floor(pick * this.pageTokens.length)] : undefined;
  }
}

export interface PendingApproval {
  resource: string;
  workflowId: string;
  subjectType: string;
  subjectId: string;
  approvers: { role: string; scope: { storeId?: string; regionId?: string; category?: string } }[];
}
