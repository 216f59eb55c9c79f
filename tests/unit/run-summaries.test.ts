import {
  appointmentRecoveryDetails,
  appointmentRecoverySummary,
  campaignSummary,
  detailsList,
  formatChange,
  formatShortTime,
  modelRetrainingSummary,
  oneLine,
  priceChangeDetails,
  priceChangeSummary,
  replenishmentSummary,
  sharedTimeZone,
  storeList,
  SUMMARY_MAX_CHARS,
} from '../../domain/run-summaries';

describe('formatShortTime', () => {
  test.each([
    ['2026-12-03T14:00:00.000Z', 'America/Los_Angeles', '2026-12-03 06:00 PST'],
    ['2026-07-03T14:00:00.000Z', 'America/Los_Angeles', '2026-07-03 07:00 PDT'],
    ['2026-12-03T04:30:00.000Z', 'America/New_York', '2026-12-02 23:30 EST'],
    ['2026-12-03T00:05:00.000Z', 'UTC', '2026-12-03 00:05 UTC'],
    ['2026-12-03T14:00:00.000Z', undefined, '2026-12-03 14:00 UTC'],
    ['2026-12-03T14:00:00.000Z', 'Not/A_Zone', '2026-12-03 14:00 UTC'],
  ])('%s in %s is %s', (at, zone, expected) => {
    expect(formatShortTime(at, zone)).toBe(expected);
  });

  test('takes epoch milliseconds (timer deadlines) and leaves an unreadable time as it is', () => {
    expect(formatShortTime(Date.UTC(2026, 11, 3, 14, 0), 'America/Los_Angeles')).toBe('2026-12-03 06:00 PST');
    expect(formatShortTime('soon', 'UTC')).toBe('soon');
  });
});

describe('small pieces', () => {
  test('oneLine flattens whitespace and cuts long text with an ellipsis', () => {
    expect(oneLine('  a\n b\t c ')).toBe('a b c');
    const cut = oneLine('x'.repeat(500));
    expect(cut).toHaveLength(SUMMARY_MAX_CHARS);
    expect(cut.endsWith('…')).toBe(true);
  });

  test('formatChange writes a true minus sign and one decimal', () => {
    expect(formatChange(-0.15)).toBe('−15.0%');
    expect(formatChange(0.0425)).toBe('+4.3%');
    expect(formatChange(0)).toBe('+0.0%');
  });

  test('storeList names a few stores and counts the rest', () => {
    expect(storeList(['S001', 'S002'])).toBe('S001, S002');
    expect(storeList(['S1', 'S2', 'S3', 'S4'])).toBe('S1, S2, S3, S4');
    expect(storeList(['S1', 'S2', 'S3', 'S4', 'S5', 'S6'])).toBe('S1, S2, S3 and 3 more');
  });

  test('sharedTimeZone is the one zone of all the stores, else null', () => {
    expect(sharedTimeZone(['America/Los_Angeles', 'America/Los_Angeles'])).toBe('America/Los_Angeles');
    expect(sharedTimeZone(['America/Los_Angeles', 'America/New_York'])).toBeNull();
    expect(sharedTimeZone([])).toBeNull();
  });

  test('detailsList is one markdown bullet per fact with a value', () => {
    expect(detailsList({ Store: 'S001', Empty: '', Missing: null, Count: 0, Note: 'two\nlines' })).toBe(
      '- **Store:** S001\n- **Count:** 0\n- **Note:** two lines',
    );
  });
});

describe('run summaries', () => {
  const change = {
    sku: 'W-1001',
    productName: 'Linen blazer',
    category: 'womens-apparel',
    storeIds: ['S001', 'S002'],
    currentPrice: 200,
    newPrice: 170,
    effectiveAt: '2026-12-03T14:00:00.000Z',
    timeZone: 'America/Los_Angeles',
    reason: 'Clear the summer linen',
    requestedBy: 'pos-gateway',
  };

  test('a price change: what, where, how much and from when', () => {
    expect(priceChangeSummary(change)).toBe('Price change: W-1001 Linen blazer at S001, S002 — −15.0% from 2026-12-03 06:00 PST');
    expect(priceChangeSummary({ ...change, storeIds: null, effectiveAt: null })).toBe('Price change: W-1001 Linen blazer chain-wide — −15.0% once approved');
  });

  test('a price change details its facts in markdown', () => {
    expect(priceChangeDetails({ ...change, boundBy: 'margin_floor', endsAt: '2026-12-10T14:00:00.000Z' }).split('\n')).toEqual([
      '- **SKU:** W-1001 Linen blazer (womens-apparel)',
      '- **Stores:** S001, S002',
      '- **Price:** $200.00 → $170.00 (−15.0%), bound by margin floor',
      '- **Effective:** 2026-12-03 06:00 PST',
      '- **Ends:** 2026-12-10 06:00 PST',
      '- **Reason:** Clear the summer linen',
      '- **Requested by:** pos-gateway',
    ]);
    expect(priceChangeDetails({ ...change, storeIds: null })).toContain('- **Stores:** every store and e-commerce');
  });

  test('an appointment recovery: the customer, tier, store and local start time', () => {
    const appt = {
      appointmentId: 'APT-1',
      customerName: 'Victoria Chen',
      tier: 'PLATINUM',
      storeId: 'S001',
      storeName: 'Union Square',
      startsAt: '2026-12-03T22:00:00.000Z',
      timeZone: 'America/Los_Angeles',
      serviceType: 'personal_styling',
      requestedBy: 'scheduler',
    };
    expect(appointmentRecoverySummary(appt)).toBe('Appointment recovery: Victoria Chen (Platinum) at S001 14:00 PST');
    expect(appointmentRecoveryDetails(appt)).toContain('- **Appointment:** APT-1, personal styling');
    expect(appointmentRecoveryDetails(appt)).toContain('- **Customer:** Victoria Chen (Platinum)');
    expect(appointmentRecoveryDetails(appt)).toContain('- **Starts:** 2026-12-03 14:00 PST');
  });

  test('replenishment, campaign and retraining say what they are about', () => {
    expect(replenishmentSummary({ storeId: 'S001', storeName: 'Union Square', regionId: 'WEST', asOf: '2026-12-03', requestedBy: 'x' })).toBe(
      'Replenishment: Union Square (S001) for 2026-12-03',
    );
    const campaign = {
      name: 'Winter edit',
      variants: [
        { key: 'A', subject: 'a' },
        { key: 'B', subject: 'b' },
      ],
      holdoutPercent: 10,
      segment: {},
      sendWindow: { startHour: 8, endHour: 21 },
      requestedBy: 'morgan',
    };
    expect(campaignSummary(campaign)).toBe('Campaign: "Winter edit" — variants A/B, 10% holdout');
    expect(campaignSummary({ ...campaign, holdoutPercent: 0 })).toBe('Campaign: "Winter edit" — variants A/B');
    expect(modelRetrainingSummary({ modelName: 'demand-forecast', trigger: 'drift', reason: 'Drift: WAPE up', asOf: '2026-12-03', requestedBy: 'x' })).toBe(
      'Model retraining: demand-forecast (drift) — Drift: WAPE up',
    );
  });
});
