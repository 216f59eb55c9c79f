import { approvalTierReason, explainOrderLine, storedRationale } from '../../domain/order-line-explanation';
import { planSku } from '../../domain/reorder';
import { formatMoney } from '../../domain/text';

const forecast = (meanDaily: number, stdDaily: number, method = 'simple-mean, demand-forecast v3') => ({
  meanDaily,
  stdDaily,
  horizonDays: 20,
  dailyMeans: new Array(20).fill(meanDaily),
  method,
});

const base = {
  sku: 'WA-0012',
  supplierId: 'SUP-1',
  unitCost: 34.83,
  onHand: 12,
  reserved: 0,
  onOrder: 0,
  leadTimeDays: 11,
  leadTimeStdDays: 0,
  serviceLevel: 0.95,
  reviewPeriodDays: 1,
  packSize: 4,
  minOrderQty: 1,
};

describe('explainOrderLine: the numbers behind a planned line, from what planSku stored', () => {
  test('the issue example: forecast over 12 days, σ, safety stock, order-up-to, need and pack rounding', () => {
    const line = planSku({ ...base, forecast: forecast(148 / 12, 21 / Math.sqrt(12)) })!;
    const why = explainOrderLine(storedRationale(JSON.parse(JSON.stringify(line.rationale))), {
      quantity: line.quantity,
      plannedQuantity: line.quantity,
      unitCost: line.unitCost,
    });
    expect(why).toMatchObject({
      leadTimeDays: 11,
      reviewPeriodDays: 1,
      coverDays: 12,
      serviceLevel: 0.95,
      model: { name: 'demand-forecast', version: 3 },
      forecastMethod: 'simple-mean, demand-forecast v3',
    });
    expect(why.forecastOverCover).toBeCloseTo(148, 1);
    expect(why.z).toBeCloseTo(1.645, 3);
    expect(why.forecastStd).toBeCloseTo(21, 1);
    expect(why.safetyStock).toBeCloseTo(34.5, 0);
    expect(why.need).toBeCloseTo(why.orderUpTo - 12, 2);
    expect(why.quantity % 4).toBe(0);
    expect(why.sentence).toBe(
      `Forecast 148 over 12 days (σ 21) + safety stock ${String(Math.round(why.safetyStock * 10) / 10)} for 95% → order-up-to ${String(Math.round(why.orderUpTo * 10) / 10)}; on hand 12, on order 0 → need ${String(Math.round(why.need * 10) / 10)}, rounded up to ${why.packs} packs of 4 = ${why.quantity}`,
    );
    expect(why.lineValue).toBeCloseTo(why.quantity * 34.83, 2);
  });

  test('reserved stock, a minimum order, an approver edit and a baseline forecast (no model version)', () => {
    const line = planSku({ ...base, reserved: 3, minOrderQty: 200, forecast: forecast(2, 0, 'simple-mean') })!;
    const why = explainOrderLine(storedRationale(line.rationale), { quantity: 100, plannedQuantity: line.quantity, unitCost: line.unitCost });
    expect(why.model).toBeNull();
    expect(why.roundedFrom).toBe(200);
    expect(why.sentence).toBe(
      'Forecast 24 over 12 days (σ 0) + safety stock 0 for 95% → order-up-to 24; on hand 12, reserved 3, on order 0 → need 15, raised to the minimum order of 200, ordering 50 packs of 4 = 200; changed by an approver to 100',
    );
    expect(why.lineValue).toBeCloseTo(3483, 2);
  });

  test('a slow mover: the order-up-to level is a Poisson quantile, so no σ is derived from its safety stock', () => {
    const line = planSku({ ...base, onHand: 0, packSize: 1, forecast: forecast(0.3, Math.sqrt(0.3)) })!;
    expect(line.rationale.coverDistribution).toBe('poisson');
    const why = explainOrderLine(storedRationale(JSON.parse(JSON.stringify(line.rationale))), {
      quantity: line.quantity,
      plannedQuantity: line.quantity,
      unitCost: line.unitCost,
    });
    expect(why.forecastStd).toBeNull();
    expect(why.safetyStock).toBe(line.rationale.safetyStock);
    expect(why.sentence).not.toContain('σ');
    expect(why.sentence).toContain('(Poisson demand)');
  });

  test('a series planned above its target for its record: the level planned for, the target and the record beside it', () => {
    const record = { cycles: 11, cyclesWithStockout: 6 };
    const line = planSku({ ...base, forecast: forecast(148 / 12, 21 / Math.sqrt(12)), serviceRecord: record })!;
    const atTarget = planSku({ ...base, forecast: forecast(148 / 12, 21 / Math.sqrt(12)) })!;
    expect(line.rationale.serviceFeedback).toEqual({ target: 0.95, plannedServiceLevel: 0.995, ...record });
    expect(line.rationale.safetyStock).toBeGreaterThan(atTarget.rationale.safetyStock);
    const why = explainOrderLine(storedRationale(JSON.parse(JSON.stringify(line.rationale))), {
      quantity: line.quantity,
      plannedQuantity: line.quantity,
      unitCost: line.unitCost,
    });
    expect(why.serviceLevel).toBe(0.995);
    expect(why.serviceFeedback).toEqual({ target: 0.95, plannedServiceLevel: 0.995, ...record });
    expect(why.sentence).toContain('for 99.5% (target 95%; 6 of the last 11 cycles ran out)');
    expect(why.reasons).toContain(
      '6 replenishment cycles of the last 11 ran out of stock (45.5% without a stock-out against a 95% target), so the service level planned for is raised to 99.5%',
    );
    // Planned at the target (no cycle on record): no feedback; a malformed stored one is dropped.
    expect(
      explainOrderLine(storedRationale(JSON.parse(JSON.stringify(atTarget.rationale))), { quantity: 1, plannedQuantity: 1, unitCost: 1 }).serviceFeedback,
    ).toBeNull();
    expect(storedRationale({ ...atTarget.rationale, serviceFeedback: { target: 'x' } }).serviceFeedback).toBeUndefined();
  });

  test('a rationale with missing fields explains what it can, without throwing', () => {
    const why = explainOrderLine(storedRationale({ orderUpTo: 10, inventoryPosition: 4 }), { quantity: 6, plannedQuantity: 6, unitCost: 1 }, 0.9);
    expect(why).toMatchObject({ need: 6, serviceLevel: 0.9, leadTimeDays: null, coverDays: null, forecastMethod: null, model: null });
    expect(why.sentence).toBe('Forecast 10 (σ 0) + safety stock 0 for 90% → order-up-to 10; on hand 0, on order 0 → need 6, ordering 6 units');
  });
});

test('approvalTierReason names the thresholds behind each tier', () => {
  const t = { storeManagerAbove: 2500, regionalAbove: 10000 };
  expect(approvalTierReason('auto', 600, t, formatMoney)).toBe('Worth $600.00, not above $2500.00: approved automatically.');
  expect(approvalTierReason('store_manager', 3000, t, formatMoney)).toBe('Worth $3000.00, above $2500.00 and not above $10000.00: the store manager approves.');
  expect(approvalTierReason('store_and_regional', 46620, t, formatMoney)).toBe(
    'Worth $46620.00, above $10000.00: the store manager and then the regional manager approve.',
  );
});
