import {
  MAX_EDIT_FACTOR,
  MAX_LINE_QUANTITY,
  applyQuantityEdits,
  applySupplierEvent,
  checkQuantityEdits,
  checkSupplierEvent,
  fullySettled,
  orderValue,
  outstanding,
  purchaseOrderId,
  type EditProblem,
  type EventCheck,
  type OrderLine,
  type QuantityEdit,
  type SupplierEventInput,
  type SupplierEventLine,
  type SupplierEventType,
  type SupplierStage,
} from '../../domain/purchase-orders';

const PO = 'PO-S001-20261124-SUP-01';

function line(sku: string, quantity: number, overrides: Partial<OrderLine> = {}): OrderLine {
  return { sku, quantity, plannedQuantity: quantity, unitCost: 1, packSize: 1, received: 0, rejected: 0, ...overrides };
}

/**
 * The order approvers edit, worth 92:
 *   SKU-A 12 × 2.50 (packs of 6, cap 120), SKU-B 5 × 10 (single units, cap 50),
 *   SKU-C 12 × 1 (packs of 12, cap 120).
 */
function draft(): OrderLine[] {
  return [line('SKU-A', 12, { unitCost: 2.5, packSize: 6 }), line('SKU-B', 5, { unitCost: 10 }), line('SKU-C', 12, { packSize: 12 })];
}

/**
 * The order suppliers report against:
 *   SKU-A 12 ordered, nothing yet (12 outstanding); SKU-B 10 ordered, 4 received, 1 rejected (5 outstanding);
 *   SKU-D dropped by an approver's edit (quantity 0); SKU-E 6 ordered, all received (0 outstanding).
 */
function sent(): OrderLine[] {
  return [
    line('SKU-A', 12, { packSize: 6 }),
    line('SKU-B', 10, { received: 4, rejected: 1 }),
    line('SKU-D', 0, { plannedQuantity: 6 }),
    line('SKU-E', 6, { received: 6 }),
  ];
}

function ev(type: SupplierEventType, lines?: SupplierEventLine[]): SupplierEventInput {
  return { eventId: 'EV-1', purchaseOrderId: PO, type, ...(lines ? { lines } : {}) };
}

const rcv = (sku: string, quantityReceived?: number, quantityRejected?: number): SupplierEventLine => ({
  sku,
  ...(quantityReceived !== undefined ? { quantityReceived } : {}),
  ...(quantityRejected !== undefined ? { quantityRejected } : {}),
});

const refused = (code: Extract<EventCheck, { ok: false }>['code'], field: string, message: string): EventCheck => ({ ok: false, code, field, message });
const OK: EventCheck = { ok: true };

/** [sku, quantity, received, rejected] per line, to compare lines briefly. */
const brief = (lines: readonly OrderLine[]) => lines.map((l) => [l.sku, l.quantity, l.received, l.rejected]);

describe('limits', () => {
  test('an edit may go to 10× the plan, and never above 100,000 units', () => {
    expect(MAX_EDIT_FACTOR).toBe(10);
    expect(MAX_LINE_QUANTITY).toBe(100_000);
  });
});

describe('orderValue: quantity × unit cost, to the cent', () => {
  test.each<[string, { quantity: number; unitCost: number }[], number]>([
    ['no lines', [], 0],
    ['the draft order', draft(), 92],
    [
      'lines at 0 are worth nothing',
      [
        { quantity: 0, unitCost: 99 },
        { quantity: 0, unitCost: 1 },
      ],
      0,
    ],
    [
      '0.1 + 0.2 is 0.3, not 0.30000000000000004',
      [
        { quantity: 1, unitCost: 0.1 },
        { quantity: 1, unitCost: 0.2 },
      ],
      0.3,
    ],
    ['3 × 0.1 is 0.3', [{ quantity: 3, unitCost: 0.1 }], 0.3],
    ['half a cent rounds up: 1.005 -> 1.01', [{ quantity: 1, unitCost: 1.005 }], 1.01],
    ['0.125 -> 0.13', [{ quantity: 1, unitCost: 0.125 }], 0.13],
    ['3 × 33.333 = 99.999 -> 100', [{ quantity: 3, unitCost: 33.333 }], 100],
    [
      'large order',
      [
        { quantity: 100_000, unitCost: 24.99 },
        { quantity: 7, unitCost: 0.01 },
      ],
      2_499_000.07,
    ],
  ])('%s -> %p', (_name, lines, expected) => {
    expect(orderValue(lines)).toBe(expected);
  });
});

describe('checkQuantityEdits: quantities (one line edited, the others left)', () => {
  // name, the edited line (SKU-X, beside a 1-unit SKU-Y), quantity, null if allowed or the start of the complaint
  test.each<[string, Partial<OrderLine>, number, string | null]>([
    // whole numbers from 0
    ['0 drops the line', { plannedQuantity: 12, packSize: 6 }, 0, null],
    ['unchanged', { plannedQuantity: 12, packSize: 6 }, 12, null],
    ['-1', { plannedQuantity: 12, packSize: 1 }, -1, 'must be a whole number of units, 0 or more (got -1).'],
    ['-6 (a whole pack, but negative)', { plannedQuantity: 12, packSize: 6 }, -6, 'must be a whole number of units, 0 or more (got -6).'],
    ['1.5', { plannedQuantity: 12, packSize: 1 }, 1.5, 'must be a whole number of units, 0 or more (got 1.5).'],
    ['NaN', { plannedQuantity: 12, packSize: 1 }, Number.NaN, 'must be a whole number of units, 0 or more (got NaN).'],
    ['Infinity', { plannedQuantity: 12, packSize: 1 }, Number.POSITIVE_INFINITY, 'must be a whole number of units, 0 or more (got Infinity).'],
    // whole packs
    ['packs of 6: 1 pack', { plannedQuantity: 12, packSize: 6 }, 6, null],
    ['packs of 6: 3 packs', { plannedQuantity: 12, packSize: 6 }, 18, null],
    ['packs of 6: 5 is short of a pack', { plannedQuantity: 12, packSize: 6 }, 5, 'must be whole packs of 6 (got 5).'],
    ['packs of 6: 7 is one over a pack', { plannedQuantity: 12, packSize: 6 }, 7, 'must be whole packs of 6 (got 7).'],
    ['packs of 6: 13', { plannedQuantity: 12, packSize: 6 }, 13, 'must be whole packs of 6 (got 13).'],
    ['packs of 12: 18 is a pack and a half', { plannedQuantity: 24, packSize: 12 }, 18, 'must be whole packs of 12 (got 18).'],
    ['packs of 12: 36', { plannedQuantity: 24, packSize: 12 }, 36, null],
    ['single units: any whole number', { plannedQuantity: 5, packSize: 1 }, 37, null],
    // not above 10× planned
    ['planned 5: exactly 10× is allowed', { plannedQuantity: 5, packSize: 1 }, 50, null],
    ['planned 5: one above 10×', { plannedQuantity: 5, packSize: 1 }, 51, '51 is more than 50, the most this line may be raised to (planned 5)'],
    ['planned 12, packs of 6: exactly 120', { plannedQuantity: 12, packSize: 6 }, 120, null],
    ['planned 12, packs of 6: 121 is over the cap before it is off-pack', { plannedQuantity: 12, packSize: 6 }, 121, '121 is more than 120'],
    ['planned 12, packs of 6: the next whole pack, 126', { plannedQuantity: 12, packSize: 6 }, 126, '126 is more than 120'],
    ['planned 7, packs of 6: cap 70 is off-pack, 66 is the most', { plannedQuantity: 7, packSize: 6 }, 66, null],
    ['planned 7, packs of 6: 72 is over 70', { plannedQuantity: 7, packSize: 6 }, 72, '72 is more than 70'],
    ['planned 0: still up to 10 single units', { plannedQuantity: 0, packSize: 1 }, 10, null],
    ['planned 0: 11 is over', { plannedQuantity: 0, packSize: 1 }, 11, '11 is more than 10'],
    // planned below one pack counts as a pack
    ['planned 4, packs of 12: 48 (above 10 × 4) is allowed', { plannedQuantity: 4, packSize: 12 }, 48, null],
    ['planned 4, packs of 12: exactly 10 packs', { plannedQuantity: 4, packSize: 12 }, 120, null],
    ['planned 4, packs of 12: 121', { plannedQuantity: 4, packSize: 12 }, 121, '121 is more than 120'],
    ['planned 4, packs of 12: 11 packs', { plannedQuantity: 4, packSize: 12 }, 132, '132 is more than 120'],
    ['planned exactly one pack of 12: 120', { plannedQuantity: 12, packSize: 12 }, 120, null],
    // never above MAX_LINE_QUANTITY
    ['planned 10,000: 10× is exactly the line maximum', { plannedQuantity: 10_000, packSize: 1 }, 100_000, null],
    ['planned 10,000: one above', { plannedQuantity: 10_000, packSize: 1 }, 100_001, '100001 is more than 100000'],
    ['planned 20,000: the line maximum, not 10×, caps', { plannedQuantity: 20_000, packSize: 1 }, 100_000, null],
    ['planned 20,000: one above the line maximum', { plannedQuantity: 20_000, packSize: 1 }, 100_001, '100001 is more than 100000'],
    ['planned 20,000: 200,000 (10×) is over the line maximum', { plannedQuantity: 20_000, packSize: 1 }, 200_000, '200000 is more than 100000'],
    ['planned 20,000, packs of 8: 100,000 is 12,500 packs', { plannedQuantity: 20_000, packSize: 8 }, 100_000, null],
    ['planned 20,000, packs of 8: the next pack is over', { plannedQuantity: 20_000, packSize: 8 }, 100_008, '100008 is more than 100000'],
  ])('%s', (_name, overrides, quantity, complaint) => {
    const lines = [line('SKU-X', 12, overrides), line('SKU-Y', 1)];
    const problems = checkQuantityEdits(lines, [{ sku: 'SKU-X', quantity }]);
    if (complaint === null) expect(problems).toEqual([]);
    else expect(problems).toEqual([{ index: 0, field: 'quantity', message: expect.stringContaining(complaint) as string }]);
  });
});

describe('checkQuantityEdits: which lines', () => {
  test.each<[string, QuantityEdit[], EditProblem[]]>([
    ['one known SKU', [{ sku: 'SKU-B', quantity: 6 }], []],
    [
      'every SKU once',
      [
        { sku: 'SKU-C', quantity: 24 },
        { sku: 'SKU-A', quantity: 6 },
        { sku: 'SKU-B', quantity: 0 },
      ],
      [],
    ],
    ['no edits at all', [], [{ field: 'lines', message: 'Name at least one line to edit.' }]],
    ['a SKU not on the order', [{ sku: 'SKU-X', quantity: 6 }], [{ index: 0, field: 'sku', message: 'SKU-X is not on this purchase order.' }]],
    ['SKUs match exactly (case)', [{ sku: 'sku-a', quantity: 6 }], [{ index: 0, field: 'sku', message: 'sku-a is not on this purchase order.' }]],
    [
      'the same SKU twice: the second is at fault',
      [
        { sku: 'SKU-A', quantity: 6 },
        { sku: 'SKU-A', quantity: 12 },
      ],
      [{ index: 1, field: 'sku', message: 'SKU-A is edited twice.' }],
    ],
    [
      'the same SKU twice with the same quantity',
      [
        { sku: 'SKU-B', quantity: 3 },
        { sku: 'SKU-B', quantity: 3 },
      ],
      [{ index: 1, field: 'sku', message: 'SKU-B is edited twice.' }],
    ],
    [
      'three times among others: every repeat is named',
      [
        { sku: 'SKU-A', quantity: 6 },
        { sku: 'SKU-B', quantity: 1 },
        { sku: 'SKU-A', quantity: 6 },
        { sku: 'SKU-A', quantity: 0 },
      ],
      [
        { index: 2, field: 'sku', message: 'SKU-A is edited twice.' },
        { index: 3, field: 'sku', message: 'SKU-A is edited twice.' },
      ],
    ],
    [
      'an unknown SKU twice is unknown both times',
      [
        { sku: 'SKU-X', quantity: 1 },
        { sku: 'SKU-X', quantity: 1 },
      ],
      [
        { index: 0, field: 'sku', message: 'SKU-X is not on this purchase order.' },
        { index: 1, field: 'sku', message: 'SKU-X is not on this purchase order.' },
      ],
    ],
    [
      'a bad first edit still counts as naming the SKU',
      [
        { sku: 'SKU-A', quantity: 7 },
        { sku: 'SKU-A', quantity: 6 },
      ],
      [
        { index: 0, field: 'quantity', message: 'must be whole packs of 6 (got 7).' },
        { index: 1, field: 'sku', message: 'SKU-A is edited twice.' },
      ],
    ],
    [
      'every edit at fault is reported, in order',
      [
        { sku: 'SKU-X', quantity: 1 },
        { sku: 'SKU-A', quantity: 7 },
        { sku: 'SKU-B', quantity: -1 },
        { sku: 'SKU-C', quantity: 12 },
      ],
      [
        { index: 0, field: 'sku', message: 'SKU-X is not on this purchase order.' },
        { index: 1, field: 'quantity', message: 'must be whole packs of 6 (got 7).' },
        { index: 2, field: 'quantity', message: 'must be a whole number of units, 0 or more (got -1).' },
      ],
    ],
    [
      'faults in single edits come before dropping every line',
      [
        { sku: 'SKU-A', quantity: 0 },
        { sku: 'SKU-B', quantity: 0 },
        { sku: 'SKU-C', quantity: 0 },
        { sku: 'SKU-C', quantity: 0 },
      ],
      [{ index: 3, field: 'sku', message: 'SKU-C is edited twice.' }],
    ],
  ])('%s', (_name, edits, expected) => {
    expect(checkQuantityEdits(draft(), edits)).toEqual(expected);
  });
});

describe('checkQuantityEdits: not dropping every line', () => {
  const NOTHING: EditProblem[] = [{ field: 'lines', message: 'The edit leaves nothing to order; reject the purchase order instead.' }];
  test.each<[string, OrderLine[], QuantityEdit[], EditProblem[]]>([
    [
      'every line to 0',
      draft(),
      [
        { sku: 'SKU-A', quantity: 0 },
        { sku: 'SKU-B', quantity: 0 },
        { sku: 'SKU-C', quantity: 0 },
      ],
      NOTHING,
    ],
    [
      'two of three to 0',
      draft(),
      [
        { sku: 'SKU-A', quantity: 0 },
        { sku: 'SKU-B', quantity: 0 },
      ],
      [],
    ],
    [
      'all but one pack',
      draft(),
      [
        { sku: 'SKU-A', quantity: 6 },
        { sku: 'SKU-B', quantity: 0 },
        { sku: 'SKU-C', quantity: 0 },
      ],
      [],
    ],
    ['the only line to 0', [line('SKU-A', 12, { packSize: 6 })], [{ sku: 'SKU-A', quantity: 0 }], NOTHING],
    ['the only line kept at 1', [line('SKU-A', 12)], [{ sku: 'SKU-A', quantity: 1 }], []],
    [
      'the last line left to 0 (the other already dropped)',
      [line('SKU-A', 0, { plannedQuantity: 6 }), line('SKU-B', 5)],
      [{ sku: 'SKU-B', quantity: 0 }],
      NOTHING,
    ],
    [
      'a dropped line brought back',
      [line('SKU-A', 0, { plannedQuantity: 6 }), line('SKU-B', 5)],
      [
        { sku: 'SKU-A', quantity: 6 },
        { sku: 'SKU-B', quantity: 0 },
      ],
      [],
    ],
  ])('%s', (_name, lines, edits, expected) => {
    expect(checkQuantityEdits(lines, edits)).toEqual(expected);
  });
});

describe('checkQuantityEdits: within the ceiling of the approval', () => {
  const above = (value: string, ceiling: string): EditProblem[] => [
    { field: 'lines', message: `The edited order is worth ${value}, above the ${ceiling} this approval covers; reject it and raise a new one, or order less.` },
  ];
  // the draft is worth 92: SKU-A 12 × 2.50 = 30, SKU-B 5 × 10 = 50, SKU-C 12 × 1 = 12
  test.each<[string, QuantityEdit[], number | undefined, EditProblem[]]>([
    ['no ceiling: a raise to 10× is fine', [{ sku: 'SKU-B', quantity: 50 }], undefined, []],
    ['unchanged, ceiling exactly the value', [{ sku: 'SKU-B', quantity: 5 }], 92, []],
    ['raised to exactly the ceiling', [{ sku: 'SKU-B', quantity: 6 }], 102, []],
    ['raised a cent above the ceiling', [{ sku: 'SKU-B', quantity: 6 }], 101.99, above('102.00', '101.99')],
    ['raised above an unchanged value', [{ sku: 'SKU-B', quantity: 6 }], 92, above('102.00', '92.00')],
    ['a pack at 2.50: exactly the ceiling', [{ sku: 'SKU-A', quantity: 18 }], 107, []],
    ['a pack at 2.50: a cent above', [{ sku: 'SKU-A', quantity: 18 }], 106.99, above('107.00', '106.99')],
    ['the ceiling shown to the cent', [{ sku: 'SKU-A', quantity: 18 }], 93.5, above('107.00', '93.50')],
    ['lowered under a ceiling the plan was above', [{ sku: 'SKU-B', quantity: 1 }], 60, []], // 30 + 10 + 12
    ['lowered, but not enough', [{ sku: 'SKU-A', quantity: 6 }], 60, above('77.00', '60.00')], // 15 + 50 + 12
    [
      'a ceiling of 0 allows nothing',
      [
        { sku: 'SKU-A', quantity: 0 },
        { sku: 'SKU-B', quantity: 0 },
      ],
      0,
      above('12.00', '0.00'),
    ],
    [
      'dropping every line is named before the ceiling',
      [
        { sku: 'SKU-A', quantity: 0 },
        { sku: 'SKU-B', quantity: 0 },
        { sku: 'SKU-C', quantity: 0 },
      ],
      -1,
      [{ field: 'lines', message: 'The edit leaves nothing to order; reject the purchase order instead.' }],
    ],
    [
      'a bad quantity is named, not the ceiling',
      [{ sku: 'SKU-B', quantity: 51 }],
      10,
      [{ index: 0, field: 'quantity', message: '51 is more than 50, the most this line may be raised to (planned 5); check the number.' }],
    ],
  ])('%s', (_name, edits, ceiling, expected) => {
    expect(checkQuantityEdits(draft(), edits, ceiling)).toEqual(expected);
  });

  test.each<[string, number, EditProblem[]]>([
    ['0.1 + 0.2 is within a 0.30 ceiling (value to the cent)', 0.3, []],
    ['but not within 0.29', 0.29, above('0.30', '0.29')],
  ])('%s', (_name, ceiling, expected) => {
    const lines = [line('SKU-P', 2, { unitCost: 0.1 }), line('SKU-Q', 1, { unitCost: 0.2 })];
    expect(checkQuantityEdits(lines, [{ sku: 'SKU-P', quantity: 1 }], ceiling)).toEqual(expected);
  });
});

describe('applyQuantityEdits', () => {
  test.each<[string, QuantityEdit[], (string | number)[][]]>([
    [
      'one line changed, the others kept',
      [{ sku: 'SKU-B', quantity: 8 }],
      [
        ['SKU-A', 12, 0, 0],
        ['SKU-B', 8, 0, 0],
        ['SKU-C', 12, 0, 0],
      ],
    ],
    [
      'a line edited to 0 stays, with quantity 0',
      [{ sku: 'SKU-A', quantity: 0 }],
      [
        ['SKU-A', 0, 0, 0],
        ['SKU-B', 5, 0, 0],
        ['SKU-C', 12, 0, 0],
      ],
    ],
    [
      "edits in any order, lines in the order's order",
      [
        { sku: 'SKU-C', quantity: 24 },
        { sku: 'SKU-A', quantity: 6 },
      ],
      [
        ['SKU-A', 6, 0, 0],
        ['SKU-B', 5, 0, 0],
        ['SKU-C', 24, 0, 0],
      ],
    ],
    [
      'no edits: the lines as they were',
      [],
      [
        ['SKU-A', 12, 0, 0],
        ['SKU-B', 5, 0, 0],
        ['SKU-C', 12, 0, 0],
      ],
    ],
    [
      'an SKU not on the order adds nothing',
      [{ sku: 'SKU-X', quantity: 6 }],
      [
        ['SKU-A', 12, 0, 0],
        ['SKU-B', 5, 0, 0],
        ['SKU-C', 12, 0, 0],
      ],
    ],
  ])('%s', (_name, edits, expected) => {
    expect(brief(applyQuantityEdits(draft(), edits))).toEqual(expected);
  });

  test('only the quantity changes: planned quantity, cost, pack and receipts are kept', () => {
    const before = [line('SKU-A', 12, { plannedQuantity: 18, unitCost: 2.5, packSize: 6, received: 3, rejected: 1 })];
    expect(applyQuantityEdits(before, [{ sku: 'SKU-A', quantity: 6 }])).toEqual([
      { sku: 'SKU-A', quantity: 6, plannedQuantity: 18, unitCost: 2.5, packSize: 6, received: 3, rejected: 1 },
    ]);
  });

  test('the input is not changed, and every line is a copy', () => {
    const before = draft();
    const after = applyQuantityEdits(before, [{ sku: 'SKU-A', quantity: 6 }]);
    expect(before).toEqual(draft());
    after.forEach((l, i) => expect(l).not.toBe(before[i]));
  });

  test('checked edits, applied, give the value the check measured', () => {
    const edits = [
      { sku: 'SKU-A', quantity: 18 },
      { sku: 'SKU-C', quantity: 0 },
    ];
    expect(checkQuantityEdits(draft(), edits, 95)).toEqual([]);
    expect(orderValue(applyQuantityEdits(draft(), edits))).toBe(95);
    expect(checkQuantityEdits(draft(), edits, 94.99)).toHaveLength(1);
  });
});

describe('outstanding: ordered less received less rejected, never negative', () => {
  test.each<[string, Partial<OrderLine>, number]>([
    ['nothing received', { quantity: 10 }, 10],
    ['partly received', { quantity: 10, received: 4 }, 6],
    ['partly received, partly rejected', { quantity: 10, received: 4, rejected: 1 }, 5],
    ['received in full', { quantity: 10, received: 10 }, 0],
    ['rejected in full', { quantity: 10, rejected: 10 }, 0],
    ['received and rejected in full', { quantity: 10, received: 4, rejected: 6 }, 0],
    ['over-received counts as 0, not -2', { quantity: 10, received: 12 }, 0],
    ['dropped line', { quantity: 0 }, 0],
  ])('%s -> %p', (_name, overrides, expected) => {
    expect(outstanding(line('SKU-A', overrides.quantity ?? 0, overrides))).toBe(expected);
  });
});

describe('fullySettled: every line received or rejected in full', () => {
  test.each<[string, OrderLine[], boolean]>([
    ['no lines', [], true],
    ['all received', [line('A', 6, { received: 6 }), line('B', 2, { received: 2 })], true],
    ['received and rejected', [line('A', 6, { received: 5, rejected: 1 }), line('B', 2, { rejected: 2 })], true],
    ['a dropped line needs nothing', [line('A', 6, { received: 6 }), line('B', 0)], true],
    ['over-received', [line('A', 6, { received: 7 })], true],
    ['one unit outstanding', [line('A', 6, { received: 6 }), line('B', 2, { received: 1 })], false],
    ['nothing received', [line('A', 6)], false],
    ['the sent order', sent(), false],
  ])('%s -> %p', (_name, lines, expected) => {
    expect(fullySettled(lines)).toBe(expected);
  });
});

describe('purchaseOrderId: one per store, planning day and supplier', () => {
  test.each<[string, string, string, string]>([
    ['S001', '2026-11-24', 'SUP-01', 'PO-S001-20261124-SUP-01'],
    ['S012', '2027-01-05', 'SUP-A', 'PO-S012-20270105-SUP-A'],
    ['S001', '20261124', 'SUP-01', 'PO-S001-20261124-SUP-01'],
  ])('%s, %s, %s -> %s', (store, asOf, supplier, expected) => {
    expect(purchaseOrderId(store, asOf, supplier)).toBe(expected);
  });

  test('different day, store or supplier: a different id', () => {
    const ids = new Set([
      purchaseOrderId('S001', '2026-11-24', 'SUP-01'),
      purchaseOrderId('S001', '2026-11-25', 'SUP-01'),
      purchaseOrderId('S002', '2026-11-24', 'SUP-01'),
      purchaseOrderId('S001', '2026-11-24', 'SUP-02'),
    ]);
    expect(ids.size).toBe(4);
  });
});

describe('checkSupplierEvent: each stage × event type', () => {
  const NOT_SENT = refused('wrong_stage', 'body.purchaseOrderId', `${PO} has not been sent to the supplier.`);
  const CLOSED = refused('wrong_stage', 'body.purchaseOrderId', `${PO} is closed.`);
  const ALREADY = refused('wrong_stage', 'body.type', `${PO} is already acknowledged.`);
  const PARTLY = refused('wrong_stage', 'body.type', `${PO} is partly received; reject the remaining lines in a receipt instead.`);
  // a plain event of each type: acknowledgment and rejection without lines, a receipt of 1 of SKU-A
  const plain: Record<SupplierEventType, SupplierEventInput> = {
    acknowledged: ev('acknowledged'),
    rejected: ev('rejected'),
    received: ev('received', [rcv('SKU-A', 1)]),
  };
  test.each<[SupplierStage, SupplierEventType, EventCheck]>([
    ['not_sent', 'acknowledged', NOT_SENT],
    ['not_sent', 'rejected', NOT_SENT],
    ['not_sent', 'received', NOT_SENT],
    ['sent', 'acknowledged', OK],
    ['sent', 'rejected', OK],
    ['sent', 'received', OK], // a receipt implies the acknowledgment
    ['acknowledged', 'acknowledged', ALREADY],
    ['acknowledged', 'rejected', OK],
    ['acknowledged', 'received', OK],
    ['partially_received', 'acknowledged', ALREADY],
    ['partially_received', 'rejected', PARTLY],
    ['partially_received', 'received', OK],
    ['closed', 'acknowledged', CLOSED],
    ['closed', 'rejected', CLOSED],
    ['closed', 'received', CLOSED],
  ])('%s, %s', (stage, type, expected) => {
    expect(checkSupplierEvent(stage, sent(), plain[type])).toEqual(expected);
  });

  test.each<[string, SupplierStage, SupplierEventInput, EventCheck]>([
    ['closed, receipt of an unknown line: the stage is named', 'closed', ev('received', [rcv('SKU-X', 1)]), CLOSED],
    ['not sent, receipt without lines: the stage is named', 'not_sent', ev('received'), NOT_SENT],
    ['not sent, over-receipt: the stage is named', 'not_sent', ev('received', [rcv('SKU-A', 13)]), NOT_SENT],
    ['acknowledged, acknowledgment that receives: the stage is named', 'acknowledged', ev('acknowledged', [rcv('SKU-A', 1)]), ALREADY],
    ['partly received, acknowledgment of an unknown line', 'partially_received', ev('acknowledged', [rcv('SKU-X')]), ALREADY],
  ])('stage before lines: %s', (_name, stage, event, expected) => {
    expect(checkSupplierEvent(stage, sent(), event)).toEqual(expected);
  });

  test('the message names the purchase order of the event', () => {
    const r = checkSupplierEvent('closed', sent(), { ...ev('received'), purchaseOrderId: 'PO-S009-20270101-SUP-09' });
    expect(r).toEqual(refused('wrong_stage', 'body.purchaseOrderId', 'PO-S009-20270101-SUP-09 is closed.'));
  });
});

describe('checkSupplierEvent: receipts', () => {
  // SKU-A 12 outstanding, SKU-B 5 outstanding, SKU-D dropped, SKU-E settled
  test.each<[string, SupplierEventLine[] | undefined, EventCheck]>([
    // how much
    ['SKU-A in full (12)', [rcv('SKU-A', 12)], OK],
    ['SKU-A short (11)', [rcv('SKU-A', 11)], OK],
    ['SKU-A over by one (13)', [rcv('SKU-A', 13)], refused('exceeds_outstanding', 'body.lines[0]', 'SKU-A: 13 is more than the 12 still outstanding.')],
    ['SKU-A 10 received + 2 rejected = 12', [rcv('SKU-A', 10, 2)], OK],
    [
      'SKU-A 10 received + 3 rejected = 13',
      [rcv('SKU-A', 10, 3)],
      refused('exceeds_outstanding', 'body.lines[0]', 'SKU-A: 13 is more than the 12 still outstanding.'),
    ],
    ['SKU-A all 12 rejected', [rcv('SKU-A', undefined, 12)], OK],
    ['SKU-A 13 rejected', [rcv('SKU-A', undefined, 13)], refused('exceeds_outstanding', 'body.lines[0]', 'SKU-A: 13 is more than the 12 still outstanding.')],
    ['SKU-B: the 5 still outstanding after earlier receipts', [rcv('SKU-B', 5)], OK],
    [
      'SKU-B: 6 (its 10 ordered less 4 received, 1 rejected is 5)',
      [rcv('SKU-B', 6)],
      refused('exceeds_outstanding', 'body.lines[0]', 'SKU-B: 6 is more than the 5 still outstanding.'),
    ],
    ['SKU-B: 3 received + 2 rejected', [rcv('SKU-B', 3, 2)], OK],
    ['SKU-B: 3 received + 3 rejected', [rcv('SKU-B', 3, 3)], refused('exceeds_outstanding', 'body.lines[0]', 'SKU-B: 6 is more than the 5 still outstanding.')],
    ['SKU-E, settled: 1 more', [rcv('SKU-E', 1)], refused('exceeds_outstanding', 'body.lines[0]', 'SKU-E: 1 is more than the 0 still outstanding.')],
    ['SKU-E, settled: named with nothing, beside SKU-A', [rcv('SKU-A', 1), rcv('SKU-E', 0, 0)], OK],
    [
      'the second line over',
      [rcv('SKU-A', 1), rcv('SKU-B', 6)],
      refused('exceeds_outstanding', 'body.lines[1]', 'SKU-B: 6 is more than the 5 still outstanding.'),
    ],
    ['both lines in full', [rcv('SKU-A', 12), rcv('SKU-B', 4, 1)], OK],
    // which lines
    ['a SKU not on the order', [rcv('SKU-A', 1), rcv('SKU-X', 1)], refused('unknown_line', 'body.lines[1].sku', `SKU-X is not on ${PO}.`)],
    ['SKUs match exactly (case)', [rcv('sku-a', 1)], refused('unknown_line', 'body.lines[0].sku', `sku-a is not on ${PO}.`)],
    ['a line dropped by an edit (quantity 0)', [rcv('SKU-D', 1)], refused('unknown_line', 'body.lines[0].sku', `SKU-D is not on ${PO}.`)],
    ['a dropped line, even with nothing', [rcv('SKU-A', 1), rcv('SKU-D', 0)], refused('unknown_line', 'body.lines[1].sku', `SKU-D is not on ${PO}.`)],
    ['the same SKU twice', [rcv('SKU-A', 1), rcv('SKU-A', 1)], refused('invalid', 'body.lines[1].sku', 'SKU-A is named twice.')],
    [
      'the same SKU twice, fitting apart but not together',
      [rcv('SKU-A', 7), rcv('SKU-A', 6)],
      refused('invalid', 'body.lines[1].sku', 'SKU-A is named twice.'),
    ],
    [
      'the same SKU again, third in the list',
      [rcv('SKU-A', 1), rcv('SKU-B', 1), rcv('SKU-A', 1)],
      refused('invalid', 'body.lines[2].sku', 'SKU-A is named twice.'),
    ],
    ['the first fault wins: unknown before over', [rcv('SKU-X', 1), rcv('SKU-A', 99)], refused('unknown_line', 'body.lines[0].sku', `SKU-X is not on ${PO}.`)],
    [
      'the first fault wins: over before unknown',
      [rcv('SKU-A', 99), rcv('SKU-X', 1)],
      refused('exceeds_outstanding', 'body.lines[0]', 'SKU-A: 99 is more than the 12 still outstanding.'),
    ],
    // something to book
    ['no lines', undefined, refused('invalid', 'body.lines', 'A receipt names the lines received.')],
    ['an empty list of lines', [], refused('invalid', 'body.lines', 'A receipt names the lines received.')],
    ['a line receiving 0', [rcv('SKU-A', 0)], refused('invalid', 'body.lines', 'The receipt receives or rejects nothing.')],
    ['a line without quantities', [rcv('SKU-A')], refused('invalid', 'body.lines', 'The receipt receives or rejects nothing.')],
    [
      'two lines receiving and rejecting 0',
      [rcv('SKU-A', 0, 0), rcv('SKU-B', 0, 0)],
      refused('invalid', 'body.lines', 'The receipt receives or rejects nothing.'),
    ],
    ['one line of two receiving 1', [rcv('SKU-A', 0), rcv('SKU-B', 1)], OK],
    ['rejecting only', [rcv('SKU-A', 0, 1)], OK],
  ])('%s', (_name, lines, expected) => {
    expect(checkSupplierEvent('acknowledged', sent(), ev('received', lines))).toEqual(expected);
  });
});

describe('checkSupplierEvent: acknowledgments', () => {
  const RECEIVES = (i: number) => refused('invalid', `body.lines[${i}].quantityReceived`, 'An acknowledgment receives nothing; send a received event.');
  test.each<[string, SupplierEventLine[] | undefined, EventCheck]>([
    ['no lines', undefined, OK],
    ['an empty list of lines', [], OK],
    ['a line named with nothing', [rcv('SKU-A')], OK],
    ['received 0 named explicitly', [rcv('SKU-A', 0)], OK],
    ['rejecting part of a line', [rcv('SKU-A', 0, 2)], OK],
    ['rejecting all that is outstanding', [rcv('SKU-A', undefined, 12), rcv('SKU-B', undefined, 5)], OK],
    [
      'rejecting one more than outstanding',
      [rcv('SKU-A', undefined, 13)],
      refused('exceeds_outstanding', 'body.lines[0]', 'SKU-A: 13 is more than the 12 still outstanding.'),
    ],
    ['receiving 1', [rcv('SKU-A', 1)], RECEIVES(0)],
    ['receiving on the second line', [rcv('SKU-A', 0, 1), rcv('SKU-B', 1)], RECEIVES(1)],
    ['receiving more than outstanding: named as a receipt, not as over', [rcv('SKU-A', 13)], RECEIVES(0)],
    ['a SKU not on the order', [rcv('SKU-X')], refused('unknown_line', 'body.lines[0].sku', `SKU-X is not on ${PO}.`)],
    ['a dropped line', [rcv('SKU-D', 0, 1)], refused('unknown_line', 'body.lines[0].sku', `SKU-D is not on ${PO}.`)],
    ['a receiving line not on the order: unknown first', [rcv('SKU-X', 1)], refused('unknown_line', 'body.lines[0].sku', `SKU-X is not on ${PO}.`)],
    ['the same SKU twice', [rcv('SKU-A', 0, 1), rcv('SKU-A', 0, 1)], refused('invalid', 'body.lines[1].sku', 'SKU-A is named twice.')],
  ])('%s', (_name, lines, expected) => {
    expect(checkSupplierEvent('sent', sent(), ev('acknowledged', lines))).toEqual(expected);
  });
});

describe('checkSupplierEvent: whole-order rejections', () => {
  test.each<[string, SupplierStage, SupplierEventLine[] | undefined, EventCheck]>([
    ['sent, no lines', 'sent', undefined, OK],
    ['acknowledged, no lines', 'acknowledged', undefined, OK],
    ['acknowledged, an empty list', 'acknowledged', [], OK],
    // the lines of a rejection are not read: it rejects everything outstanding
    ['lines naming an unknown SKU are not checked', 'sent', [rcv('SKU-X', 5)], OK],
    ['lines over outstanding are not checked', 'acknowledged', [rcv('SKU-A', 0, 99)], OK],
    [
      'partly received, even with lines',
      'partially_received',
      [rcv('SKU-A', 0, 12)],
      refused('wrong_stage', 'body.type', `${PO} is partly received; reject the remaining lines in a receipt instead.`),
    ],
  ])('%s', (_name, stage, lines, expected) => {
    expect(checkSupplierEvent(stage, sent(), ev('rejected', lines))).toEqual(expected);
  });
});

describe('applySupplierEvent', () => {
  // before: SKU-A 12/0/0, SKU-B 10/4/1, SKU-D 0/0/0, SKU-E 6/6/0 as [sku, quantity, received, rejected]
  test.each<[string, SupplierEventInput, (string | number)[][]]>([
    [
      'receipt of SKU-A in full',
      ev('received', [rcv('SKU-A', 12)]),
      [
        ['SKU-A', 12, 12, 0],
        ['SKU-B', 10, 4, 1],
        ['SKU-D', 0, 0, 0],
        ['SKU-E', 6, 6, 0],
      ],
    ],
    [
      'receipt adds to earlier receipts',
      ev('received', [rcv('SKU-B', 3, 2)]),
      [
        ['SKU-A', 12, 0, 0],
        ['SKU-B', 10, 7, 3],
        ['SKU-D', 0, 0, 0],
        ['SKU-E', 6, 6, 0],
      ],
    ],
    [
      'receipt rejecting only',
      ev('received', [rcv('SKU-A', undefined, 5)]),
      [
        ['SKU-A', 12, 0, 5],
        ['SKU-B', 10, 4, 1],
        ['SKU-D', 0, 0, 0],
        ['SKU-E', 6, 6, 0],
      ],
    ],
    [
      'receipt of two lines',
      ev('received', [rcv('SKU-B', 5), rcv('SKU-A', 6, 1)]),
      [
        ['SKU-A', 12, 6, 1],
        ['SKU-B', 10, 9, 1],
        ['SKU-D', 0, 0, 0],
        ['SKU-E', 6, 6, 0],
      ],
    ],
    [
      'a SKU not on the order changes nothing',
      ev('received', [rcv('SKU-X', 5)]),
      [
        ['SKU-A', 12, 0, 0],
        ['SKU-B', 10, 4, 1],
        ['SKU-D', 0, 0, 0],
        ['SKU-E', 6, 6, 0],
      ],
    ],
    [
      'acknowledgment without lines changes nothing',
      ev('acknowledged'),
      [
        ['SKU-A', 12, 0, 0],
        ['SKU-B', 10, 4, 1],
        ['SKU-D', 0, 0, 0],
        ['SKU-E', 6, 6, 0],
      ],
    ],
    [
      'acknowledgment rejecting part of a line',
      ev('acknowledged', [rcv('SKU-A', 0, 2)]),
      [
        ['SKU-A', 12, 0, 2],
        ['SKU-B', 10, 4, 1],
        ['SKU-D', 0, 0, 0],
        ['SKU-E', 6, 6, 0],
      ],
    ],
    [
      'whole-order rejection rejects everything outstanding',
      ev('rejected'),
      [
        ['SKU-A', 12, 0, 12],
        ['SKU-B', 10, 4, 6],
        ['SKU-D', 0, 0, 0],
        ['SKU-E', 6, 6, 0],
      ],
    ],
    [
      'whole-order rejection ignores its lines',
      ev('rejected', [rcv('SKU-A', 0, 1)]),
      [
        ['SKU-A', 12, 0, 12],
        ['SKU-B', 10, 4, 6],
        ['SKU-D', 0, 0, 0],
        ['SKU-E', 6, 6, 0],
      ],
    ],
  ])('%s', (_name, event, expected) => {
    expect(brief(applySupplierEvent(sent(), event))).toEqual(expected);
  });

  test.each<[string, SupplierEventInput]>([
    ['receipt', ev('received', [rcv('SKU-A', 12)])],
    ['rejection', ev('rejected')],
  ])('the input is not changed, and every line is a copy: %s', (_name, event) => {
    const before = sent();
    const after = applySupplierEvent(before, event);
    expect(before).toEqual(sent());
    after.forEach((l, i) => expect(l).not.toBe(before[i]));
  });

  test('only received and rejected change', () => {
    const before = [line('SKU-A', 12, { plannedQuantity: 18, unitCost: 2.5, packSize: 6 })];
    expect(applySupplierEvent(before, ev('received', [rcv('SKU-A', 6, 1)]))).toEqual([
      { sku: 'SKU-A', quantity: 12, plannedQuantity: 18, unitCost: 2.5, packSize: 6, received: 6, rejected: 1 },
    ]);
  });

  test('a whole-order rejection settles the order', () => {
    const after = applySupplierEvent(sent(), ev('rejected'));
    expect(after.map(outstanding)).toEqual([0, 0, 0, 0]);
    expect(fullySettled(after)).toBe(true);
  });
});

describe('supplier events in sequence', () => {
  /** Checks each event at its stage and applies it; returns the lines and each check's outcome. */
  function run(lines: OrderLine[], steps: [SupplierStage, SupplierEventInput][]): { lines: OrderLine[]; checks: EventCheck[] } {
    const checks: EventCheck[] = [];
    for (const [stage, event] of steps) {
      const check = checkSupplierEvent(stage, lines, event);
      checks.push(check);
      if (check.ok) lines = applySupplierEvent(lines, event);
    }
    return { lines, checks };
  }
  const order = () => [line('SKU-A', 12, { packSize: 6 }), line('SKU-B', 4)];

  test('partial receipt, then the rest: settled', () => {
    const first = run(order(), [['sent', ev('received', [rcv('SKU-A', 5)])]]);
    expect(first.checks).toEqual([OK]);
    expect(first.lines.map(outstanding)).toEqual([7, 4]);
    expect(fullySettled(first.lines)).toBe(false);

    const rest = run(first.lines, [['partially_received', ev('received', [rcv('SKU-A', 7), rcv('SKU-B', 4)])]]);
    expect(rest.checks).toEqual([OK]);
    expect(brief(rest.lines)).toEqual([
      ['SKU-A', 12, 12, 0],
      ['SKU-B', 4, 4, 0],
    ]);
    expect(fullySettled(rest.lines)).toBe(true);
  });

  test('partial receipt, then one more than the rest: refused and nothing booked', () => {
    const { lines, checks } = run(order(), [
      ['sent', ev('received', [rcv('SKU-A', 5)])],
      ['partially_received', ev('received', [rcv('SKU-A', 8)])],
    ]);
    expect(checks[1]).toEqual(refused('exceeds_outstanding', 'body.lines[0]', 'SKU-A: 8 is more than the 7 still outstanding.'));
    expect(brief(lines)).toEqual([
      ['SKU-A', 12, 5, 0],
      ['SKU-B', 4, 0, 0],
    ]);
  });

  test('partly received: the rest is rejected in a receipt, not by a whole-order rejection', () => {
    const { lines, checks } = run(order(), [
      ['acknowledged', ev('received', [rcv('SKU-A', 6)])],
      ['partially_received', ev('rejected')],
      ['partially_received', ev('received', [rcv('SKU-A', 0, 6), rcv('SKU-B', 0, 4)])],
    ]);
    expect(checks.map((c) => (c.ok ? 'ok' : c.code))).toEqual(['ok', 'wrong_stage', 'ok']);
    expect(brief(lines)).toEqual([
      ['SKU-A', 12, 6, 6],
      ['SKU-B', 4, 0, 4],
    ]);
    expect(fullySettled(lines)).toBe(true);
  });

  test('acknowledgment rejecting a line, then the rest received', () => {
    const { lines, checks } = run(order(), [
      ['sent', ev('acknowledged', [rcv('SKU-B', 0, 4)])],
      ['acknowledged', ev('received', [rcv('SKU-B', 1)])],
      ['acknowledged', ev('received', [rcv('SKU-A', 12)])],
    ]);
    expect(checks).toEqual([OK, refused('exceeds_outstanding', 'body.lines[0]', 'SKU-B: 1 is more than the 0 still outstanding.'), OK]);
    expect(brief(lines)).toEqual([
      ['SKU-A', 12, 12, 0],
      ['SKU-B', 4, 0, 4],
    ]);
    expect(fullySettled(lines)).toBe(true);
  });

  test('acknowledged, then rejected: everything rejected, nothing received', () => {
    const { lines, checks } = run(order(), [
      ['sent', ev('acknowledged')],
      ['acknowledged', ev('rejected')],
    ]);
    expect(checks).toEqual([OK, OK]);
    expect(brief(lines)).toEqual([
      ['SKU-A', 12, 0, 12],
      ['SKU-B', 4, 0, 4],
    ]);
    expect(fullySettled(lines)).toBe(true);
  });

  test('a line dropped in approval cannot be received', () => {
    const edited = applyQuantityEdits(order(), [{ sku: 'SKU-B', quantity: 0 }]);
    expect(checkSupplierEvent('sent', edited, ev('received', [rcv('SKU-B', 1)]))).toEqual(
      refused('unknown_line', 'body.lines[0].sku', `SKU-B is not on ${PO}.`),
    );
    expect(checkSupplierEvent('sent', edited, ev('received', [rcv('SKU-A', 12)]))).toEqual(OK);
    expect(fullySettled(applySupplierEvent(edited, ev('received', [rcv('SKU-A', 12)])))).toBe(true);
  });

  test('a raised line can be received up to its new quantity', () => {
    const edited = applyQuantityEdits(order(), [{ sku: 'SKU-A', quantity: 18 }]);
    expect(checkSupplierEvent('sent', edited, ev('received', [rcv('SKU-A', 18)]))).toEqual(OK);
    expect(checkSupplierEvent('sent', edited, ev('received', [rcv('SKU-A', 19)]))).toEqual(
      refused('exceeds_outstanding', 'body.lines[0]', 'SKU-A: 19 is more than the 18 still outstanding.'),
    );
  });
});

/** Quantities a supplier or an approver could only send by going around the API's schema. */
describe('quantities outside whole numbers ≥ 0, and pack sizes below 1', () => {
  // The API schema (int, min 0) stops these too, but the workflow's update validator relies on this check alone.
  test('a negative rejection cannot offset an over-receipt (13 received, -1 rejected of 12)', () => {
    expect(checkSupplierEvent('acknowledged', sent(), ev('received', [rcv('SKU-A', 13, -1)]))).toMatchObject({
      ok: false,
      code: 'invalid',
      field: 'body.lines[0].quantityRejected',
    });
  });

  test('a fractional quantity is refused (0.5 received)', () => {
    expect(checkSupplierEvent('acknowledged', sent(), ev('received', [rcv('SKU-A', 0.5)]))).toMatchObject({
      ok: false,
      code: 'invalid',
      field: 'body.lines[0].quantityReceived',
    });
  });

  test('NaN received is refused (it would make received NaN)', () => {
    expect(checkSupplierEvent('acknowledged', sent(), ev('received', [rcv('SKU-A', Number.NaN)])).ok).toBe(false);
  });

  // Planning (domain/reorder roundToPack) counts a pack size below 1 as 1, and so do edits.
  test('a line with pack size 0 can be edited like single units', () => {
    expect(checkQuantityEdits([line('SKU-A', 5, { packSize: 0 }), line('SKU-B', 1)], [{ sku: 'SKU-A', quantity: 3 }])).toEqual([]);
  });
});
