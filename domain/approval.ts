/**
 * Rules of the shared approval gate: who may decide what. Pure, so both the API (before it
 * calls a workflow) and the workflow's update validator (the authority) apply the same rules.
 */

export const ROLES = ['system', 'associate', 'store_manager', 'regional_manager', 'category_manager', 'marketing_manager', 'data_scientist', 'ops'] as const;
export type Role = (typeof ROLES)[number];

/** Roles that can never decide an approval, whatever the gate asks for. */
export const NON_DECIDING_ROLES: readonly Role[] = ['system', 'associate', 'ops'];

export interface Principal {
  id: string;
  role: Role;
  allScopes: boolean;
  storeIds: string[];
  regionIds: string[];
  categories: string[];
}

/** What an approval is about; a principal must cover every part that is set. */
export interface ApprovalScope {
  storeId?: string;
  regionId?: string;
  category?: string;
}

export interface ApproverSpec {
  role: Role;
  scope: ApprovalScope;
}

export type DecisionKind = 'approve' | 'reject';

export type DecideCheck = { ok: true } | { ok: false; code: 'not_authorized' | 'self_approval' | 'invalid_decision'; message: string };

/** Whether the principal's scope covers the approval's scope. A store is covered by its region. */
export function coversScope(p: Principal, scope: ApprovalScope): boolean {
  if (p.allScopes) return true;
  if (p.role === 'category_manager') return scope.category !== undefined && p.categories.includes(scope.category);
  if (scope.storeId !== undefined) {
    return p.storeIds.includes(scope.storeId) || (scope.regionId !== undefined && p.regionIds.includes(scope.regionId));
  }
  if (scope.regionId !== undefined) return p.regionIds.includes(scope.regionId);
  return false;
}

/** May this principal act as one of the given approvers? */
export function matchingApprover(p: Principal, approvers: readonly ApproverSpec[]): ApproverSpec | undefined {
  if (NON_DECIDING_ROLES.includes(p.role)) return undefined;
  return approvers.find((a) => a.role === p.role && coversScope(p, a.scope));
}

export interface DecisionRequest {
  decision: DecisionKind;
  comment?: string;
  /** True when the decision departs from what was recommended (another stylist, edited quantities, a counter-price). */
  isOverride: boolean;
}

/**
 * The full check for one decision: role and scope, separation of duties (no one decides what
 * they requested, nor twice across levels of the same request), and a comment on reject or override.
 */
export function checkDecision(
  p: Principal,
  approvers: readonly ApproverSpec[],
  request: DecisionRequest,
  separation: { requestedBy?: string; excludedPrincipalIds?: readonly string[]; earlierDeciders?: readonly string[] },
): DecideCheck {
  if (!matchingApprover(p, approvers)) {
    const wanted = approvers.map((a) => `${a.role}${describeScope(a.scope)}`).join(' or ');
    return { ok: false, code: 'not_authorized', message: `This decision belongs to ${wanted}; ${p.id} (${p.role}) may not make it.` };
  }
  if (separation.requestedBy === p.id || separation.excludedPrincipalIds?.includes(p.id)) {
    return { ok: false, code: 'self_approval', message: `${p.id} requested or is the subject of this approval and may not decide it.` };
  }
  if (separation.earlierDeciders?.includes(p.id)) {
    return { ok: false, code: 'self_approval', message: `${p.id} already decided an earlier level of this approval.` };
  }
  const comment = request.comment?.trim() ?? '';
  if (request.decision === 'reject' && comment.length === 0) {
    return { ok: false, code: 'invalid_decision', message: 'A comment is required to reject.' };
  }
  if (request.decision === 'approve' && request.isOverride && comment.length === 0) {
    return { ok: false, code: 'invalid_decision', message: 'A comment is required to override the recommendation.' };
  }
  return { ok: true };
}

export function describeScope(scope: ApprovalScope): string {
  const parts = [
    scope.storeId && `store ${scope.storeId}`,
    scope.regionId && !scope.storeId && `region ${scope.regionId}`,
    scope.category && `category ${scope.category}`,
  ].filter(Boolean);
  return parts.length ? ` for ${parts.join(', ')}` : '';
}
