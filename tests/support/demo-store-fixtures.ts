/**
 * Processes in the demo stores (S001, S004, ...), for tests about the demo principals' scopes:
 * each call adds rows of its own (suffixed ids: its customer, stylist, suite, suppliers, SKUs) to
 * an existing store, so it never changes seeded rows another suite reads.
 */
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { purchaseOrderId } from '../../domain/purchase-orders';
import type { Db } from '../../platform/db';
import { replenishmentWorkflowId } from '../../workflows/replenishment/messages';
import { isoDayAgo, PACK_SIZE, TIER_SUPPLIERS, type TierKey } from './replenishment-fixtures';

const DAY_MS = 86_400_000;

/**
 * A demo store's replenishment is one run per store and day, and suites run side by side on one
 * Temporal server: each suite that plans a demo store owns a range of days back, and within it takes
 * a day with no run yet (a day an earlier test run on the same server used is skipped).
 */
export const DEMO_PLANNING_DAYS = {
  console: [120, 199],
  authorizationMatrixPending: [40, 119],
  authorizationMatrixSelf: [200, 349],
} as const satisfies Record<string, readonly [number, number]>;

export async function unplannedDemoDay(client: Client, storeId: string, [from, to]: readonly [number, number]): Promise<string> {
  const days = Array.from({ length: to - from + 1 }, (_, i) => from + i).sort(() => Math.random() - 0.5);
  for (const back of days) {
    const asOf = isoDayAgo(back);
    try {
      await client.workflow.getHandle(replenishmentWorkflowId(storeId, asOf)).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return asOf;
      throw err;
    }
  }
  throw new Error(`Every day ${from}–${to} days back already has a replenishment of ${storeId} on this Temporal server.`);
}

/** An unassigned personal-styling appointment in `storeId` 58 minutes ahead, with a stylist of its own on shift and a free suite. */
export async function demoStoreAppointment(db: Db, storeId: string): Promise<{ appointmentId: string; stylistId: string }> {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const now = Date.now();
  const startsAt = new Date(now + 58 * 60_000);
  const endsAt = new Date(startsAt.getTime() + 90 * 60_000);
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId }, select: { regionId: true } });
  const stylistId = `ST-${suffix}-AUTHZ`;
  await db.staff.create({
    data: {
      id: stylistId,
      storeId,
      regionId: store.regionId,
      firstName: 'Avery',
      lastName: `Authz${suffix}`,
      email: `avery-${suffix.toLowerCase()}@retail-ops.test`,
      role: 'STYLIST',
      skills: ['personal_styling', 'womens_apparel'],
      rating: 4.8,
      hiredAt: new Date('2020-01-01'),
    },
  });
  await db.staffShift.create({ data: { id: randomUUID(), staffId: stylistId, storeId, startsAt: new Date(now - DAY_MS), endsAt: new Date(now + 2 * DAY_MS) } });
  await db.room.create({ data: { id: `RM-${suffix}`, storeId, name: `Styling Suite ${suffix}`, kind: 'SUITE' } });
  const customerId = `CUST-${suffix}`;
  await db.customer.create({
    data: {
      id: customerId,
      firstName: 'Jamie',
      lastName: `Authz${suffix}`,
      email: `jamie-${suffix.toLowerCase()}@example.com`,
      tier: 'GOLD',
      memberSince: new Date(now - 3 * 365 * DAY_MS),
      homeStoreId: storeId,
      emailConsent: true,
      styleTags: ['classic'],
      preferredColours: ['navy'],
      preferredCategories: ['womens-apparel'],
      sizeTop: 'M',
      sizeBottom: '8',
      shoeSize: '38',
    },
  });
  const appointmentId = `APT-AUTHZ-${suffix}`;
  await db.appointment.create({ data: { id: appointmentId, storeId, customerId, serviceType: 'personal_styling', startsAt, endsAt } });
  return { appointmentId, stylistId };
}

/**
 * Suppliers of the given value tiers selling to `storeId`, each with SKUs out of stock and steady
 * sales before `asOf`: planning the store on `asOf` orders one purchase order per supplier.
 */
export async function demoStoreReplenishment(db: Db, storeId: string, asOf: string, tiers: TierKey[]): Promise<Partial<Record<TierKey, string>>> {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const asOfMs = Date.parse(`${asOf}T00:00:00Z`);
  const pos: Partial<Record<TierKey, string>> = {};
  for (const tier of tiers) {
    const spec = TIER_SUPPLIERS[tier];
    const supplierId = `SUP-AZ-${suffix}-${tier.toUpperCase()}`;
    await db.supplier.create({
      data: { id: supplierId, name: `${tier} supplier ${suffix}`, email: `${tier}-${suffix.toLowerCase()}@example.com`, leadTimeDays: 5 },
    });
    const skus = Array.from({ length: spec.skus }, (_, i) => `AZ-${suffix}-${tier.toUpperCase()}-${i + 1}`);
    await db.product.createMany({
      data: skus.map((sku) => ({
        sku,
        name: `Product ${sku}`,
        category: 'test',
        brand: 'Test',
        colour: 'black',
        size: 'M',
        styleTags: [],
        cost: spec.cost,
        price: spec.cost * 2.5,
        supplierId,
        packSize: PACK_SIZE,
        minOrderQty: 1,
        serviceLevel: 0.95,
      })),
    });
    await db.inventoryLevel.createMany({ data: skus.map((sku) => ({ storeId, sku, onHand: 0 })) });
    await db.salesDaily.createMany({
      data: skus.flatMap((sku) =>
        Array.from({ length: 120 }, (_, i) => ({ storeId, sku, day: new Date(asOfMs - (i + 1) * DAY_MS), units: 10, revenue: 10 * spec.cost * 2.5 })),
      ),
    });
    pos[tier] = purchaseOrderId(storeId, asOf, supplierId);
  }
  return pos;
}

/** A product of its own in `category` at `price` (cost 40 %), stocked in `storeIds`: a price change on it touches nothing seeded. */
export async function demoStoreProduct(db: Db, category: string, price: number, storeIds: string[]): Promise<string> {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const supplierId = `SUP-PZ-${suffix}`;
  await db.supplier.create({ data: { id: supplierId, name: `Pricing supplier ${suffix}`, email: `pz-${suffix.toLowerCase()}@example.com`, leadTimeDays: 5 } });
  const sku = `PZ-${suffix}`;
  await db.product.create({
    data: {
      sku,
      name: `Authz product ${suffix}`,
      category,
      brand: 'Test',
      colour: 'navy',
      size: 'M',
      styleTags: [],
      cost: Math.round(price * 40) / 100,
      price,
      supplierId,
    },
  });
  await db.inventoryLevel.createMany({ data: storeIds.map((storeId) => ({ storeId, sku, onHand: 10 })) });
  return sku;
}
