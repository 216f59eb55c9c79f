import { randomUUID } from 'node:crypto';
import { hashApiKey } from '../../platform/api-keys';
import type { Db } from '../../platform/db';

export interface StoreScenario {
  suffix: string;
  regionId: string;
  storeId: string;
  appointmentId: string;
  customerId: string;
  customerEmail: string;
  startsAt: Date;
  stylists: { best: string; second: string; offShift: string };
  stylistEmails: Record<string, string>;
  suiteIds: string[];
  managers: { primary: Person; secondary: Person; regional: Person; otherStore: Person; ops: Person; system: Person };
}

export type PersonRole = 'store_manager' | 'regional_manager' | 'category_manager' | 'marketing_manager' | 'data_scientist' | 'ops' | 'system';
export type PersonScope = { storeIds?: string[]; regionIds?: string[]; categories?: string[]; allScopes?: boolean };

/** A principal with an API key (`test-key-<id>`) and an email, for one test's isolated scenario. */
export async function createPerson(db: Db, suffix: string, role: PersonRole, name: string, scope: PersonScope): Promise<Person> {
  const id = `${name}-${suffix}`.toLowerCase();
  const email = `${id}@retail-ops.test`;
  const apiKey = `test-key-${id}`;
  await db.principal.create({
    data: {
      id,
      displayName: `${name} ${suffix}`,
      email,
      role,
      allScopes: scope.allScopes ?? false,
      storeIds: scope.storeIds ?? [],
      regionIds: scope.regionIds ?? [],
      categories: scope.categories ?? [],
      apiKeys: { create: { id: randomUUID(), keyHash: hashApiKey(apiKey), label: 'test' } },
    },
  });
  return { id, email, apiKey };
}

export interface Person {
  id: string;
  email: string;
  apiKey: string;
}

/**
 * An isolated store for one test: its own region, managers (with API keys), stylists, suites,
 * stock and a Platinum customer with an unassigned styling appointment. Nothing is shared with
 * other tests, so they run in parallel without stepping on each other.
 */
export async function createStoreScenario(db: Db, opts: { startsInMinutes?: number; suites?: number; itemsInStock?: number } = {}): Promise<StoreScenario> {
  const suffix = randomUUID().slice(0, 8).toUpperCase();
  const regionId = `R-${suffix}`;
  const storeId = `T-${suffix}`;
  const now = Date.now();
  const startsAt = new Date(now + (opts.startsInMinutes ?? 58) * 60_000);
  const endsAt = new Date(startsAt.getTime() + 90 * 60_000);

  await db.region.create({ data: { id: regionId, name: `Test region ${suffix}` } });
  await db.store.create({ data: { id: storeId, name: `Test Store ${suffix}`, regionId, city: 'Testville', timezone: 'America/Los_Angeles' } });

  const person = (role: PersonRole, name: string, scope: PersonScope) => createPerson(db, suffix, role, name, scope);
  const managers = {
    primary: await person('store_manager', 'mgr', { storeIds: [storeId] }),
    secondary: await person('store_manager', 'mgr2', { storeIds: [storeId] }),
    regional: await person('regional_manager', 'rm', { regionIds: [regionId] }),
    otherStore: await person('store_manager', 'other', { storeIds: ['S002'] }),
    ops: await person('ops', 'ops', { allScopes: true }),
    system: await person('system', 'sys', { allScopes: true }),
  };

  const stylist = async (key: string, first: string, rating: number, skills: string[], onShift: boolean) => {
    const id = `ST-${suffix}-${key}`;
    const email = `${key.toLowerCase()}-${suffix.toLowerCase()}@retail-ops.test`;
    await db.staff.create({
      data: { id, storeId, firstName: first, lastName: `Test${suffix}`, email, role: 'STYLIST', skills, rating, hiredAt: new Date('2020-01-01') },
    });
    if (onShift) {
      await db.staffShift.create({
        data: { id: randomUUID(), staffId: id, storeId, startsAt: new Date(now - 86_400_000), endsAt: new Date(now + 2 * 86_400_000) },
      });
    }
    return { id, email };
  };
  const best = await stylist('BEST', 'Maria', 4.9, ['personal_styling', 'womens_apparel', 'occasion_wear', 'workwear'], true);
  const second = await stylist('SECOND', 'Lena', 4.5, ['personal_styling', 'womens_apparel'], true);
  const offShift = await stylist('OFF', 'Priya', 5.0, ['personal_styling', 'womens_apparel', 'occasion_wear', 'workwear'], false);

  const suiteIds: string[] = [];
  for (let i = 1; i <= (opts.suites ?? 2); i++) {
    const id = `RM-${suffix}-${i}`;
    await db.room.create({ data: { id, storeId, name: `Styling Suite ${i}`, kind: 'SUITE' } });
    suiteIds.push(id);
  }

  const supplierId = `SUP-${suffix}`;
  await db.supplier.create({ data: { id: supplierId, name: `Supplier ${suffix}`, email: `sup-${suffix.toLowerCase()}@example.com`, leadTimeDays: 7 } });
  const colours = ['navy', 'ivory', 'camel', 'black', 'red'];
  const tags = [['classic', 'business'], ['minimalist'], ['evening', 'classic'], ['bohemian'], ['business', 'minimalist']];
  // 14 womens apparel, 5 footwear in her shoe size, 5 one-size accessories: enough for 12 picks under the per-category cap.
  const catalogue = [
    ...Array.from({ length: 14 }, (_, i) => ({ category: 'womens-apparel', size: i % 4 === 3 ? 'L' : 'M' })),
    ...Array.from({ length: 5 }, () => ({ category: 'footwear', size: '38' })),
    ...Array.from({ length: 5 }, () => ({ category: 'accessories', size: 'ONE' })),
  ].slice(0, opts.itemsInStock ?? 24);
  for (const [i, c] of catalogue.entries()) {
    const sku = `SKU-${suffix}-${String(i).padStart(2, '0')}`;
    await db.product.create({
      data: {
        sku,
        name: `Test ${tags[i % 5][0]} ${c.category} ${i}`,
        category: c.category,
        brand: `Brand ${i % 7}`,
        colour: colours[i % colours.length],
        size: c.size,
        styleTags: tags[i % 5],
        cost: 40,
        price: 120 + i,
        supplierId,
        inventory: { create: { storeId, onHand: 3 } },
      },
    });
  }

  const customerId = `CUST-${suffix}`;
  const customerEmail = `victoria-${suffix.toLowerCase()}@example.com`;
  await db.customer.create({
    data: {
      id: customerId,
      firstName: 'Victoria',
      lastName: `Chen${suffix}`,
      email: customerEmail,
      tier: 'PLATINUM',
      memberSince: new Date(now - 5 * 365 * 86_400_000),
      homeStoreId: storeId,
      emailConsent: true,
      styleTags: ['classic', 'minimalist', 'business'],
      preferredColours: ['navy', 'ivory', 'camel'],
      preferredCategories: ['womens-apparel', 'accessories', 'footwear'],
      sizeTop: 'M',
      sizeBottom: '8',
      shoeSize: '38',
    },
  });
  for (let i = 0; i < 3; i++) {
    await db.order.create({
      data: {
        id: `ORD-${suffix}-${i}`,
        customerId,
        storeId,
        channel: 'store',
        purchasedAt: new Date(now - (i + 1) * 200 * 86_400_000),
        total: 300 + i * 50,
        lines: { create: [{ id: randomUUID(), sku: `SKU-${suffix}-00`, quantity: 1, unitPrice: 120 }] },
      },
    });
  }
  await db.appointment.create({
    data: {
      id: `APT-PAST-${suffix}`,
      storeId,
      customerId,
      serviceType: 'personal_styling',
      startsAt: new Date(now - 300 * 86_400_000),
      endsAt: new Date(now - 300 * 86_400_000 + 5_400_000),
      status: 'COMPLETED',
      stylistId: best.id,
    },
  });
  const appointmentId = `APT-${suffix}`;
  await db.appointment.create({ data: { id: appointmentId, storeId, customerId, serviceType: 'personal_styling', startsAt, endsAt } });

  return {
    suffix,
    regionId,
    storeId,
    appointmentId,
    customerId,
    customerEmail,
    startsAt,
    stylists: { best: best.id, second: second.id, offShift: offShift.id },
    stylistEmails: { [best.id]: best.email, [second.id]: second.email, [offShift.id]: offShift.email },
    suiteIds,
    managers,
  };
}

/** Books every suite of the store for the appointment's slot, so reserving one fails for good. */
export async function occupyAllSuites(db: Db, s: StoreScenario): Promise<void> {
  const endsAt = new Date(s.startsAt.getTime() + 90 * 60_000);
  for (const roomId of s.suiteIds) {
    await db.roomReservation.create({ data: { id: randomUUID(), roomId, startsAt: s.startsAt, endsAt, idempotencyKey: `occupied:${roomId}:${randomUUID()}` } });
  }
}
