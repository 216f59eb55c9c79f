import type { Customer360 } from '../../domain/customer-360';

/** A Victoria-like Platinum customer 360 for domain tests; override what a case needs. */
export function customer360(overrides: Partial<Customer360> = {}): Customer360 {
  return {
    customerId: 'C-VICTORIA',
    name: 'Victoria Chen',
    firstName: 'Victoria',
    email: 'victoria.chen@example.com',
    tier: 'PLATINUM',
    yearsAsMember: 6,
    purchaseCount: 14,
    lastPurchaseAt: '2025-06-01T10:00:00.000Z',
    daysSinceLastPurchase: 14,
    averageSpend: 283.5,
    totalSpend: 3969,
    topCategories: ['womens-apparel', 'accessories', 'footwear'],
    styleTags: ['classic', 'business', 'evening'],
    preferredColours: ['navy', 'cream'],
    sizes: { top: 'M', bottom: '10', shoe: '8' },
    styleNotes: null,
    ...overrides,
  };
}
