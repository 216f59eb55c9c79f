/**
 * The demo scenario of DESIGN.md: in S001, Platinum member Victoria Chen has a personal-styling
 * appointment with no stylist, starting 58 minutes after the scenario is put in place; Maria
 * Santos is the best match.
 *
 * `putScenarioInPlace` can be called any number of times (npm start, npm run demo:reset, tests):
 * each call books a new appointment with fresh times and tidies up after the previous one, so the
 * demo replays the same way every time:
 *  - earlier scenario appointments still open (and their companion bookings) are cancelled, their
 *    suite reservations and inventory holds released — including ones a finished recovery already
 *    assigned, otherwise Maria would still be booked over the new slot;
 *  - every S001 stylist gets a shift covering the new slot;
 *  - a little realism around the slot: Lena Park is busy in Styling Suite 1 during it, Priya Nair
 *    has a booking straight after it (busier, so Maria stays the clear first choice);
 *  - at least one styling suite is free for the slot;
 *  - S001 has enough womens-apparel in Victoria's sizes (M / 8) in stock to pre-select ~12 items.
 *
 * Requires the demo seed (store S001) to be present.
 */
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../platform/db';
import { MARIA_ID, SCENARIO_SERVICE_TYPE, SCENARIO_STORE_ID, VICTORIA_ID, VICTORIA_PROFILE, buildVictoria, centsToDecimal } from './seed-data';

export interface ScenarioResult {
  appointmentId: string;
  customerId: string;
  startsAt: Date;
}

export const SCENARIO_LEAD_MINUTES = 58;
export const SCENARIO_DURATION_MINUTES = 90;
/** Every scenario appointment id starts with this (`APT-VC-<yyyymmddHHMM>[-n]`). */
export const SCENARIO_APPOINTMENT_PREFIX = 'APT-VC-';
/** Companion bookings the scenario creates around the slot. */
export const SCENARIO_COMPANION_PREFIX = 'APT-SCN-';
export const SCENARIO_APPOINTMENT_NOTES = 'Booked in the app: workwear refresh for a new leadership role, plus one evening look for a December gala.';

const PRIYA_ID = 'ST-S001-PRIYA';
const LENA_ID = 'ST-S001-LENA';
const VICTORIA_SIZES = [VICTORIA_PROFILE.sizeTop, VICTORIA_PROFILE.sizeBottom];
/** In-stock womens-apparel SKUs in Victoria's sizes the scenario guarantees (of which preferred). */
const MIN_IN_STOCK = 16;
const MIN_IN_STOCK_PREFERRED = 12;
const MIN_AVAILABLE_UNITS = 2;
const TOP_UP_UNITS = 6;

const MINUTE_MS = 60_000;
const OPEN = ['SCHEDULED', 'CONFIRMED'] as const;

type Tx = Prisma.TransactionClient;

function stamp(now: Date): string {
  return now.toISOString().slice(0, 16).replace(/[-T:]/g, '');
}

/** `APT-VC-<yyyymmddHHMM>` (UTC) for a scenario put in place at `now`. */
export function scenarioAppointmentId(now: Date): string {
  return `${SCENARIO_APPOINTMENT_PREFIX}${stamp(now)}`;
}

/** Victoria's latest future appointment in S001 that still has no stylist, if any. */
export async function findOpenScenario(db: Db, now: Date = new Date()): Promise<{ id: string; startsAt: Date } | null> {
  return db.appointment.findFirst({
    where: { customerId: VICTORIA_ID, storeId: SCENARIO_STORE_ID, status: 'SCHEDULED', stylistId: null, startsAt: { gt: now } },
    orderBy: { startsAt: 'desc' },
    select: { id: true, startsAt: true },
  });
}

/**
 * True when Victoria has a future appointment in S001 still waiting for a stylist, i.e. its recovery
 * is open or about to start. Once a recovery has assigned someone, the next `npm start` sets the
 * scenario up afresh.
 */
export async function hasOpenScenario(db: Db, now: Date = new Date()): Promise<boolean> {
  return (await findOpenScenario(db, now)) !== null;
}

export async function putScenarioInPlace(db: Db, now: Date = new Date()): Promise<ScenarioResult> {
  const store = await db.store.findUnique({ where: { id: SCENARIO_STORE_ID }, select: { id: true } });
  if (!store) throw new Error(`Store ${SCENARIO_STORE_ID} not found: seed the demo data first (npm run db:seed).`);

  const startsAt = new Date(Math.floor(now.getTime() / 1000) * 1000 + SCENARIO_LEAD_MINUTES * MINUTE_MS);
  const endsAt = new Date(startsAt.getTime() + SCENARIO_DURATION_MINUTES * MINUTE_MS);

  return db.$transaction(
    async (tx) => {
      await ensureVictoria(tx, now);
      await retirePreviousScenarios(tx, now);

      let appointmentId = scenarioAppointmentId(now);
      for (let n = 2; await tx.appointment.findUnique({ where: { id: appointmentId }, select: { id: true } }); n++) {
        appointmentId = `${scenarioAppointmentId(now)}-${n}`;
      }
      await tx.appointment.create({
        data: {
          id: appointmentId,
          storeId: SCENARIO_STORE_ID,
          customerId: VICTORIA_ID,
          serviceType: SCENARIO_SERVICE_TYPE,
          startsAt,
          endsAt,
          status: 'SCHEDULED',
          stylistId: null,
          notes: SCENARIO_APPOINTMENT_NOTES,
        },
      });

      await ensureStylistShifts(tx, appointmentId, startsAt, endsAt);
      await bookCompanions(tx, appointmentId, startsAt, endsAt);
      await ensureFreeSuite(tx, startsAt, endsAt, now);
      await ensureStock(tx, now);

      return { appointmentId, customerId: VICTORIA_ID, startsAt };
    },
    { timeout: 60_000, maxWait: 15_000 },
  );
}

/** Victoria's canonical profile; her purchase history and past sessions with Maria if missing. */
async function ensureVictoria(tx: Tx, now: Date): Promise<void> {
  const existing = await tx.customer.findUnique({ where: { id: VICTORIA_ID }, select: { id: true } });
  const profile = {
    firstName: VICTORIA_PROFILE.firstName,
    lastName: VICTORIA_PROFILE.lastName,
    email: VICTORIA_PROFILE.email,
    phone: VICTORIA_PROFILE.phone,
    tier: VICTORIA_PROFILE.tier,
    homeStoreId: VICTORIA_PROFILE.homeStoreId,
    timezone: VICTORIA_PROFILE.timezone,
    emailConsent: VICTORIA_PROFILE.emailConsent,
    styleTags: [...VICTORIA_PROFILE.styleTags],
    preferredColours: [...VICTORIA_PROFILE.preferredColours],
    preferredCategories: [...VICTORIA_PROFILE.preferredCategories],
    sizeTop: VICTORIA_PROFILE.sizeTop,
    sizeBottom: VICTORIA_PROFILE.sizeBottom,
    shoeSize: VICTORIA_PROFILE.shoeSize,
    styleNotes: VICTORIA_PROFILE.styleNotes,
  };
  if (existing) {
    await tx.customer.update({ where: { id: VICTORIA_ID }, data: profile });
    return;
  }
  const products = await tx.product.findMany({
    where: { active: true },
    select: { sku: true, category: true, size: true, colour: true, styleTags: true, price: true },
    orderBy: { sku: 'asc' },
  });
  const built = buildVictoria(
    now,
    products.map((p) => ({ ...p, priceCents: Math.round(Number(p.price) * 100) })),
  );
  await tx.customer.create({ data: built.customer });
  await tx.order.createMany({
    data: built.orders.map(({ totalCents, ...o }) => ({ ...o, total: centsToDecimal(totalCents) })),
    skipDuplicates: true,
  });
  await tx.orderLine.createMany({
    data: built.orderLines.map(({ unitPriceCents, ...l }) => ({ ...l, unitPrice: centsToDecimal(unitPriceCents) })),
    skipDuplicates: true,
  });
  if (await tx.staff.findUnique({ where: { id: MARIA_ID }, select: { id: true } })) {
    await tx.appointment.createMany({ data: built.pastSessions, skipDuplicates: true });
  }
}

/**
 * Cancels what earlier runs of the scenario left open: Victoria's unassigned open appointments in
 * S001 that have not ended, any open earlier scenario appointment (assigned or not), and the
 * companion bookings; releases their suite reservations and inventory holds.
 */
async function retirePreviousScenarios(tx: Tx, now: Date): Promise<string[]> {
  const stale = await tx.appointment.findMany({
    where: {
      status: { in: [...OPEN] },
      endsAt: { gt: now },
      OR: [
        { customerId: VICTORIA_ID, storeId: SCENARIO_STORE_ID, stylistId: null },
        { id: { startsWith: SCENARIO_APPOINTMENT_PREFIX } },
        { id: { startsWith: SCENARIO_COMPANION_PREFIX } },
      ],
    },
    select: { id: true, notes: true },
  });
  if (!stale.length) return [];
  const ids = stale.map((a) => a.id);
  for (const a of stale) {
    await tx.appointment.update({
      where: { id: a.id },
      data: { status: 'CANCELLED', notes: [a.notes, `Cancelled by demo reset at ${now.toISOString()}.`].filter(Boolean).join('\n') },
    });
  }
  await tx.roomReservation.updateMany({
    where: { appointmentId: { in: ids }, status: 'HELD' },
    data: { status: 'RELEASED', releasedAt: now },
  });
  const holds = await tx.inventoryHold.findMany({ where: { appointmentId: { in: ids }, status: 'ACTIVE' } });
  for (const h of holds) {
    await tx.inventoryHold.update({ where: { id: h.id }, data: { status: 'RELEASED', releasedAt: now } });
    // Keep the reserved counter consistent if the hold was counted there (never below zero).
    await tx.$executeRaw`UPDATE "InventoryLevel" SET "reserved" = GREATEST(0, "reserved" - ${h.quantity}), "updatedAt" = ${now}
      WHERE "storeId" = ${h.storeId} AND "sku" = ${h.sku}`;
  }
  return ids;
}

/** Every active S001 stylist has a shift covering the slot (with a margin either side). */
async function ensureStylistShifts(tx: Tx, appointmentId: string, startsAt: Date, endsAt: Date): Promise<void> {
  const stylists = await tx.staff.findMany({
    where: { storeId: SCENARIO_STORE_ID, role: 'STYLIST', active: true },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  for (const s of stylists) {
    const covering = await tx.staffShift.findFirst({
      where: { staffId: s.id, startsAt: { lte: startsAt }, endsAt: { gte: endsAt } },
      select: { id: true },
    });
    if (covering) continue;
    await tx.staffShift.create({
      data: {
        id: `SH-${s.id}-SCN-${appointmentId.slice(SCENARIO_APPOINTMENT_PREFIX.length)}`,
        staffId: s.id,
        storeId: SCENARIO_STORE_ID,
        startsAt: new Date(startsAt.getTime() - 3 * 60 * MINUTE_MS),
        endsAt: new Date(endsAt.getTime() + 3 * 60 * MINUTE_MS),
      },
    });
  }
}

/**
 * Context around the slot: Lena is with another client in Styling Suite 1 during it, Priya has a
 * booking right after it. Skipped quietly when the seed's people are not there.
 */
async function bookCompanions(tx: Tx, appointmentId: string, startsAt: Date, endsAt: Date): Promise<void> {
  const suffix = appointmentId.slice(SCENARIO_APPOINTMENT_PREFIX.length);
  const [staff, clients, suite] = await Promise.all([
    tx.staff.findMany({ where: { id: { in: [PRIYA_ID, LENA_ID] }, active: true }, select: { id: true } }),
    tx.customer.findMany({
      where: { homeStoreId: SCENARIO_STORE_ID, tier: { in: ['GOLD', 'SILVER'] }, id: { not: VICTORIA_ID } },
      orderBy: { id: 'asc' },
      take: 2,
      select: { id: true },
    }),
    tx.room.findFirst({ where: { storeId: SCENARIO_STORE_ID, kind: 'SUITE', active: true }, orderBy: { id: 'asc' }, select: { id: true } }),
  ]);
  if (clients.length < 2) return;
  const present = new Set(staff.map((s) => s.id));
  if (present.has(LENA_ID)) {
    const id = `${SCENARIO_COMPANION_PREFIX}${suffix}-LENA`;
    const lenaStart = new Date(startsAt.getTime() - 30 * MINUTE_MS);
    const lenaEnd = new Date(endsAt.getTime() - 15 * MINUTE_MS);
    await tx.appointment.create({
      data: {
        id,
        storeId: SCENARIO_STORE_ID,
        customerId: clients[0].id,
        serviceType: 'bridal',
        startsAt: lenaStart,
        endsAt: lenaEnd,
        status: 'CONFIRMED',
        stylistId: LENA_ID,
        notes: 'Bridal fitting (demo scenario context).',
      },
    });
    if (suite) {
      await tx.roomReservation.create({
        data: {
          id: `RR-${id}`,
          roomId: suite.id,
          appointmentId: id,
          startsAt: lenaStart,
          endsAt: lenaEnd,
          status: 'HELD',
          idempotencyKey: `demo-scenario:${id}:suite`,
        },
      });
    }
  }
  if (present.has(PRIYA_ID)) {
    const priyaStart = new Date(endsAt.getTime() + 30 * MINUTE_MS);
    await tx.appointment.create({
      data: {
        id: `${SCENARIO_COMPANION_PREFIX}${suffix}-PRIYA`,
        storeId: SCENARIO_STORE_ID,
        customerId: clients[1].id,
        serviceType: SCENARIO_SERVICE_TYPE,
        startsAt: priyaStart,
        endsAt: new Date(priyaStart.getTime() + 60 * MINUTE_MS),
        status: 'CONFIRMED',
        stylistId: PRIYA_ID,
        notes: 'Capsule wardrobe session (demo scenario context).',
      },
    });
  }
}

/** At least one active S001 suite has no HELD reservation overlapping the slot. */
async function ensureFreeSuite(tx: Tx, startsAt: Date, endsAt: Date, now: Date): Promise<void> {
  let suites = await tx.room.findMany({
    where: { storeId: SCENARIO_STORE_ID, kind: 'SUITE', active: true },
    orderBy: { id: 'asc' },
    select: { id: true },
  });
  if (!suites.length) {
    await tx.room.createMany({
      data: [1, 2].map((i) => ({
        id: `RM-${SCENARIO_STORE_ID}-SUITE-${i}`,
        storeId: SCENARIO_STORE_ID,
        name: `Styling Suite ${i}`,
        kind: 'SUITE' as const,
        capacity: 3,
      })),
      skipDuplicates: true,
    });
    suites = await tx.room.findMany({ where: { storeId: SCENARIO_STORE_ID, kind: 'SUITE', active: true }, orderBy: { id: 'asc' }, select: { id: true } });
  }
  const overlapping = await tx.roomReservation.findMany({
    where: { roomId: { in: suites.map((s) => s.id) }, status: 'HELD', startsAt: { lt: endsAt }, endsAt: { gt: startsAt } },
    select: { id: true, roomId: true },
  });
  const busy = new Set(overlapping.map((r) => r.roomId));
  if (suites.some((s) => !busy.has(s.id))) return;
  // Every suite is taken: free the last one (Suite 1 keeps the scenario's own companion booking).
  const freed = suites[suites.length - 1].id;
  await tx.roomReservation.updateMany({
    where: { id: { in: overlapping.filter((r) => r.roomId === freed).map((r) => r.id) } },
    data: { status: 'RELEASED', releasedAt: now },
  });
}

/** Enough womens-apparel in Victoria's sizes in stock at S001, preferring her colours and styles. */
async function ensureStock(tx: Tx, now: Date): Promise<void> {
  const levels = await tx.inventoryLevel.findMany({
    where: { storeId: SCENARIO_STORE_ID, product: { category: 'womens-apparel', size: { in: VICTORIA_SIZES }, active: true } },
    select: { sku: true, onHand: true, reserved: true, product: { select: { colour: true, styleTags: true } } },
    orderBy: { sku: 'asc' },
  });
  const colours = new Set(VICTORIA_PROFILE.preferredColours);
  const tags = new Set(VICTORIA_PROFILE.styleTags);
  const preferred = (l: (typeof levels)[number]) => colours.has(l.product.colour) || l.product.styleTags.some((t) => tags.has(t));
  const inStock = (l: (typeof levels)[number]) => l.onHand - l.reserved >= MIN_AVAILABLE_UNITS;

  let total = levels.filter(inStock).length;
  let pref = levels.filter((l) => inStock(l) && preferred(l)).length;
  const candidates = levels.filter((l) => !inStock(l)).sort((a, b) => Number(preferred(b)) - Number(preferred(a)));
  for (const l of candidates) {
    if (total >= MIN_IN_STOCK && pref >= MIN_IN_STOCK_PREFERRED) break;
    const isPreferred = preferred(l);
    if (total >= MIN_IN_STOCK && !isPreferred) continue;
    await tx.inventoryLevel.update({
      where: { storeId_sku: { storeId: SCENARIO_STORE_ID, sku: l.sku } },
      data: { onHand: l.reserved + TOP_UP_UNITS, updatedAt: now },
    });
    total++;
    if (isPreferred) pref++;
  }
}
