import { checkDecision, coversScope, type ApproverSpec, type Principal } from '../../domain/approval';
import { recoveryDeadlines, DEFAULT_RECOVERY_TIMING } from '../../domain/appointment-deadlines';

const p = (id: string, role: Principal['role'], scope: Partial<Principal> = {}): Principal => ({
  id,
  role,
  allScopes: false,
  storeIds: [],
  regionIds: [],
  categories: [],
  ...scope,
});
const alex = p('alex', 'store_manager', { storeIds: ['S001'] });
const taylor = p('taylor', 'store_manager', { storeIds: ['S002'] });
const jordan = p('jordan', 'regional_manager', { regionIds: ['WEST'] });
const casey = p('casey', 'category_manager', { categories: ['womens-apparel'] });
const sam = p('sam', 'ops', { allScopes: true });
const morgan = p('morgan', 'marketing_manager', { allScopes: true });

describe('coversScope', () => {
  test.each([
    ['store manager, own store', alex, { storeId: 'S001', regionId: 'WEST' }, true],
    ['store manager, other store', taylor, { storeId: 'S001', regionId: 'WEST' }, false],
    ['regional manager, store in region', jordan, { storeId: 'S001', regionId: 'WEST' }, true],
    ['regional manager, store elsewhere', jordan, { storeId: 'S004', regionId: 'EAST' }, false],
    ['regional manager, region scope', jordan, { regionId: 'WEST' }, true],
    ['category manager, own category', casey, { category: 'womens-apparel', storeId: 'S001' }, true],
    ['category manager, other category', casey, { category: 'footwear' }, false],
    ['category manager, store scope without category', casey, { storeId: 'S001' }, false],
    ['all-scope principal', morgan, { storeId: 'S009' }, true],
    ['store manager, empty scope', alex, {}, false],
  ])('%s', (_name, principal, scope, expected) => {
    expect(coversScope(principal, scope)).toBe(expected);
  });
});

describe('checkDecision', () => {
  const storeLevel: ApproverSpec[] = [{ role: 'store_manager', scope: { storeId: 'S001', regionId: 'WEST' } }];
  const escalated: ApproverSpec[] = [...storeLevel, { role: 'regional_manager', scope: { storeId: 'S001', regionId: 'WEST' } }];
  test.each([
    ['approver approves', alex, storeLevel, { decision: 'approve', isOverride: false }, {}, 'ok'],
    ['wrong store', taylor, storeLevel, { decision: 'approve', isOverride: false }, {}, 'not_authorized'],
    ['right scope, wrong role', jordan, storeLevel, { decision: 'approve', isOverride: false }, {}, 'not_authorized'],
    ['escalation approver', jordan, escalated, { decision: 'approve', isOverride: false }, {}, 'ok'],
    [
      'ops never decide, even with all scopes',
      { ...sam, role: 'ops' as const },
      [{ role: 'ops' as const, scope: {} }],
      { decision: 'approve', isOverride: false },
      {},
      'not_authorized',
    ],
    ['requester may not approve', alex, storeLevel, { decision: 'approve', isOverride: false }, { requestedBy: 'alex' }, 'self_approval'],
    [
      'subject of the request may not approve',
      alex,
      storeLevel,
      { decision: 'approve', isOverride: false },
      { excludedPrincipalIds: ['alex'] },
      'self_approval',
    ],
    ['same person at a second level', alex, storeLevel, { decision: 'approve', isOverride: false }, { earlierDeciders: ['alex'] }, 'self_approval'],
    ['reject needs a comment', alex, storeLevel, { decision: 'reject', isOverride: false, comment: '  ' }, {}, 'invalid_decision'],
    ['reject with comment', alex, storeLevel, { decision: 'reject', isOverride: false, comment: 'no' }, {}, 'ok'],
    ['override needs a comment', alex, storeLevel, { decision: 'approve', isOverride: true }, {}, 'invalid_decision'],
    ['override with comment', alex, storeLevel, { decision: 'approve', isOverride: true, comment: 'asked for Lena' }, {}, 'ok'],
  ] as const)('%s', (_name, principal, approvers, request, separation, expected) => {
    const r = checkDecision(principal, [...approvers], request, separation);
    expect(r.ok ? 'ok' : r.code).toBe(expected);
  });
});

describe('recovery deadlines', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  const min = 60_000;
  test.each([
    ['appointment far away: full production windows', 180, 15, 25, 10],
    ['58 minutes away: still the full windows (settled 33 min before)', 58, 15, 25, 10],
    ['30 minutes away: squeezed to settle 20 min before, same proportion', 30, 6, 10, 1],
    ['already too close: a minimal window, never in the past', 5, 0.0167, 0.0333, null],
  ])('%s', (_name, startsInMin, escalateMin, autoMin, remindMin) => {
    const d = recoveryDeadlines(now, now + startsInMin * min, DEFAULT_RECOVERY_TIMING);
    expect((d.escalateAt - now) / min).toBeCloseTo(escalateMin, 1);
    expect((d.autoAssignAt - now) / min).toBeCloseTo(autoMin, 1);
    expect(d.remindAt === null ? null : (d.remindAt - now) / min).toEqual(remindMin === null ? null : expect.closeTo(remindMin, 1));
    expect(d.escalateAt).toBeLessThan(d.autoAssignAt);
  });
});
