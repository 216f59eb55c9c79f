import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Prisma } from '../../generated/prisma/client';
import { buildCustomer360, type Customer360 } from '../../domain/customer-360';
import { preselectItems, type InventoryItem, type PreselectedItem } from '../../domain/item-preselection';
import type { StylistCandidate } from '../../domain/stylist-ranking';
import type { Db } from '../../platform/db';
import { consoleRunPath, consoleUrl } from '../../domain/console-links';
import { formatLocalDateAgo, formatLocalTime, localiseInstants, minutesUntil } from '../../domain/local-time';
import type { MailSender } from '../shared/email';
import { renderEmail } from '../shared/email/render';
import { loadStoreContact, type StoreContact } from '../shared/email/store-contact';

export interface AppointmentSnapshot {
  id: string;
  storeId: string;
  storeName: string;
  regionId: string;
  timezone: string;
  serviceType: string;
  startsAt: string;
  endsAt: string;
  status: string;
  stylistId: string | null;
}

export interface RecoveryContext {
  appointment: AppointmentSnapshot;
  customer: Customer360;
  candidates: StylistCandidate[];
}

export interface StylistBrief {
  appointment: AppointmentSnapshot;
  customer: Customer360;
  stylist: { staffId: string; name: string; email: string };
  items: PreselectedItem[];
  suiteName: string | null;
  preparationNotes: string;
}

export const AppointmentErrors = {
  notFound: 'AppointmentNotFound',
  stylistUnavailable: 'StylistUnavailable',
  alreadyAssigned: 'AppointmentAlreadyAssigned',
  noSuite: 'NoSuiteAvailable',
} as const;

const OPEN_STATUSES = ['SCHEDULED', 'CONFIRMED'] as const;

function money(n: number): string {
  return `$${n.toFixed(2)}`;
}

function serviceName(serviceType: string): string {
  return serviceType.replace(/_/g, ' ').toLowerCase();
}

function json(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? {})) as Prisma.InputJsonValue;
}

/** A customer's 360 as the recovery sees it (profile and purchase history); null for an unknown customer. */
export async function loadCustomer360(db: Db, customerId: string, at: Date): Promise<Customer360 | null> {
  const c = await db.customer.findUnique({ where: { id: customerId } });
  if (!c) return null;
  const orders = await db.order.findMany({
    where: { customerId: c.id },
    include: { lines: { include: { product: { select: { category: true } } } } },
    orderBy: { purchasedAt: 'asc' },
  });
  return buildCustomer360(
    {
      id: c.id,
      firstName: c.firstName,
      lastName: c.lastName,
      email: c.email,
      tier: c.tier,
      memberSince: c.memberSince.toISOString(),
      styleTags: c.styleTags,
      preferredColours: c.preferredColours,
      preferredCategories: c.preferredCategories,
      sizeTop: c.sizeTop,
      sizeBottom: c.sizeBottom,
      shoeSize: c.shoeSize,
      styleNotes: c.styleNotes,
    },
    orders.map((o) => ({
      purchasedAt: o.purchasedAt.toISOString(),
      total: Number(o.total),
      categories: [...new Set(o.lines.map((l) => l.product.category))],
    })),
    at,
  );
}

/** In-stock items of the store not held already: the candidates for pre-selection. */
export async function readStoreInventory(db: Db, storeId: string): Promise<InventoryItem[]> {
  const rows = await db.inventoryLevel.findMany({
    where: { storeId, onHand: { gt: 0 }, product: { active: true } },
    include: { product: true },
  });
  return rows
    .filter((r) => r.onHand - r.reserved > 0)
    .map((r) => ({
      sku: r.sku,
      name: r.product.name,
      category: r.product.category,
      brand: r.product.brand,
      colour: r.product.colour,
      size: r.product.size,
      styleTags: r.product.styleTags,
      price: Number(r.product.price),
      available: r.onHand - r.reserved,
    }));
}

/** The suite reserveSuite would take for the slot now (the first free one), read without reserving; null when none is free. */
export async function firstFreeSuite(db: Db, storeId: string, startsAt: Date, endsAt: Date): Promise<{ roomId: string; roomName: string } | null> {
  const suites = await db.room.findMany({ where: { storeId, kind: 'SUITE', active: true }, orderBy: { id: 'asc' }, select: { id: true, name: true } });
  for (const suite of suites) {
    const taken = await db.roomReservation.count({ where: { roomId: suite.id, status: 'HELD', startsAt: { lt: endsAt }, endsAt: { gt: startsAt } } });
    if (taken === 0) return { roomId: suite.id, roomName: suite.name };
  }
  return null;
}

/** Side effects of appointment recovery; each is idempotent on its key (workflow ID plus step). */
export function createAppointmentActivities(deps: { db: Db; mail: MailSender; publicBaseUrl?: string; now?: () => Date }) {
  const { db, mail } = deps;
  const now = deps.now ?? (() => new Date());
  const runLink = (workflowId: string) => consoleUrl(deps.publicBaseUrl ?? '', consoleRunPath('appointment-recoveries', workflowId));

  /** The store as emails name it; a store without an address row still has its name and city zone. */
  async function storeOf(a: AppointmentSnapshot): Promise<StoreContact> {
    return (await loadStoreContact(db, a.storeId)) ?? { id: a.storeId, name: a.storeName, timezone: a.timezone, address: '', email: null };
  }

  async function audit(key: string, action: string, entityId: string, workflowId: string, details: unknown, actorId = 'system') {
    await db.auditEvent.upsert({
      where: { idempotencyKey: key },
      create: { idempotencyKey: key, action, entityType: 'appointment', entityId, workflowId, actorId, details: json(details) },
      update: {},
    });
  }

  async function snapshot(appointmentId: string): Promise<AppointmentSnapshot> {
    const a = await db.appointment.findUnique({ where: { id: appointmentId }, include: { store: true } });
    if (!a) throw ApplicationFailure.nonRetryable(`Appointment ${appointmentId} does not exist.`, AppointmentErrors.notFound);
    return {
      id: a.id,
      storeId: a.storeId,
      storeName: a.store.name,
      regionId: a.store.regionId,
      timezone: a.store.timezone,
      serviceType: a.serviceType,
      startsAt: a.startsAt.toISOString(),
      endsAt: a.endsAt.toISOString(),
      status: a.status,
      stylistId: a.stylistId,
    };
  }

  return {
    /** Appointment, customer 360 and every stylist of the store with the facts the ranking needs. */
    async loadRecoveryContext(appointmentId: string): Promise<RecoveryContext> {
      const appointment = await snapshot(appointmentId);
      const row = await db.appointment.findUniqueOrThrow({ where: { id: appointmentId }, select: { customerId: true } });
      const customer = (await loadCustomer360(db, row.customerId, now()))!;

      const startsAt = new Date(appointment.startsAt);
      const endsAt = new Date(appointment.endsAt);
      const dayStart = new Date(startsAt.getTime() - 12 * 3600_000);
      const dayEnd = new Date(startsAt.getTime() + 12 * 3600_000);
      const stylists = await db.staff.findMany({
        where: { storeId: appointment.storeId, role: 'STYLIST', active: true },
        include: {
          shifts: { where: { startsAt: { lte: startsAt }, endsAt: { gte: endsAt } }, take: 1 },
          appointments: {
            where: { status: { in: [...OPEN_STATUSES, 'COMPLETED'] }, id: { not: appointmentId }, startsAt: { lt: dayEnd }, endsAt: { gt: dayStart } },
          },
        },
        orderBy: { id: 'asc' },
      });
      const past = await db.appointment.groupBy({
        by: ['stylistId'],
        where: { customerId: row.customerId, status: 'COMPLETED', stylistId: { not: null } },
        _count: { _all: true },
      });
      const pastBy = new Map(past.map((p) => [p.stylistId, p._count._all]));
      const candidates: StylistCandidate[] = stylists.map((s) => ({
        staffId: s.id,
        name: `${s.firstName} ${s.lastName}`,
        email: s.email,
        skills: s.skills,
        rating: s.rating,
        onShiftForSlot: s.shifts.length > 0,
        conflictingAppointments: s.appointments.filter((a) => a.status !== 'COMPLETED' && a.startsAt < endsAt && a.endsAt > startsAt).length,
        appointmentsThatDay: s.appointments.filter((a) => a.status !== 'COMPLETED').length,
        maxDailyAppointments: s.maxDailyAppointments,
        pastSessionsWithCustomer: pastBy.get(s.id) ?? 0,
      }));
      return { appointment, customer, candidates };
    },

    /** Assigns the stylist unless someone else took the appointment or her slot meanwhile. */
    async assignStylist(input: { workflowId: string; appointmentId: string; stylistId: string; decidedBy: string }): Promise<void> {
      await db.$transaction(async (tx) => {
        // Lock the stylist first so two recoveries cannot both book her for the same slot.
        await tx.$queryRaw`SELECT id FROM "Staff" WHERE id = ${input.stylistId} FOR UPDATE`;
        const [a] = await tx.$queryRaw<{ stylistId: string | null; startsAt: Date; endsAt: Date; status: string }[]>`
          SELECT "stylistId", "startsAt", "endsAt", status::text AS status FROM "Appointment" WHERE id = ${input.appointmentId} FOR UPDATE`;
        if (!a) throw ApplicationFailure.nonRetryable(`Appointment ${input.appointmentId} does not exist.`, AppointmentErrors.notFound);
        if (a.stylistId === input.stylistId) return;
        if (a.stylistId !== null) {
          throw ApplicationFailure.nonRetryable(
            `Appointment ${input.appointmentId} was assigned to ${a.stylistId} meanwhile.`,
            AppointmentErrors.alreadyAssigned,
          );
        }
        const clash = await tx.appointment.count({
          where: {
            stylistId: input.stylistId,
            id: { not: input.appointmentId },
            status: { in: [...OPEN_STATUSES] },
            startsAt: { lt: a.endsAt },
            endsAt: { gt: a.startsAt },
          },
        });
        if (clash > 0) {
          throw ApplicationFailure.nonRetryable(`Stylist ${input.stylistId} was booked for this slot meanwhile.`, AppointmentErrors.stylistUnavailable);
        }
        await tx.appointment.update({ where: { id: input.appointmentId }, data: { stylistId: input.stylistId } });
      });
      await audit(`${input.workflowId}:assign:${input.stylistId}`, 'appointment.stylist_assigned', input.appointmentId, input.workflowId, {
        stylistId: input.stylistId,
        decidedBy: input.decidedBy,
      });
    },

    async unassignStylist(input: { workflowId: string; appointmentId: string; stylistId: string }): Promise<void> {
      await db.appointment.updateMany({ where: { id: input.appointmentId, stylistId: input.stylistId }, data: { stylistId: null, status: 'SCHEDULED' } });
      await audit(`${input.workflowId}:unassign:${input.stylistId}`, 'appointment.stylist_unassigned', input.appointmentId, input.workflowId, {
        stylistId: input.stylistId,
      });
    },

    /** In-stock items of the store, the candidates for pre-selection. */
    async loadStoreInventory(input: { storeId: string }): Promise<InventoryItem[]> {
      return readStoreInventory(db, input.storeId);
    },

    /** The items picked for the customer from the store's stock: only those cross Temporal, not the whole inventory. */
    async preselectStoreItems(input: { storeId: string; customer: Customer360; count: number }): Promise<PreselectedItem[]> {
      return preselectItems(input.customer, await readStoreInventory(db, input.storeId), { count: input.count });
    },

    /**
     * Holds one unit of each item; all holds of one step share a key, so a retry places none twice
     * and answers what the first attempt held. One statement: the stock rows are locked in SKU order
     * (two recoveries holding the same items wait rather than deadlock), each unit is reserved only
     * while one is free, and a hold row is written for each reserved unit.
     */
    async placeHolds(input: { holdKey: string; storeId: string; appointmentId: string; skus: string[] }): Promise<{ held: string[]; unavailable: string[] }> {
      const rows = await db.$queryRaw<{ sku: string; status: string }[]>`
        WITH existing AS (
          SELECT sku, status::text AS status FROM "InventoryHold" WHERE "holdKey" = ${input.holdKey}
        ), locked AS (
          SELECT sku FROM "InventoryLevel"
           WHERE "storeId" = ${input.storeId} AND sku = ANY(${input.skus}::text[]) AND NOT EXISTS (SELECT 1 FROM existing)
           ORDER BY sku
             FOR UPDATE
        ), reserved AS (
          UPDATE "InventoryLevel" l SET reserved = l.reserved + 1, "updatedAt" = now() AT TIME ZONE 'UTC'
            FROM locked k
           WHERE l."storeId" = ${input.storeId} AND l.sku = k.sku AND l."onHand" - l.reserved >= 1
          RETURNING l.sku
        ), created AS (
          INSERT INTO "InventoryHold" (id, "holdKey", "storeId", sku, quantity, "appointmentId")
          SELECT gen_random_uuid()::text, ${input.holdKey}, ${input.storeId}, sku, 1, ${input.appointmentId} FROM reserved
          RETURNING sku, 'ACTIVE'::text AS status
        )
        SELECT sku, status FROM existing UNION ALL SELECT sku, status FROM created`;
      const active = new Set(rows.filter((r) => r.status === 'ACTIVE').map((r) => r.sku));
      return { held: input.skus.filter((s) => active.has(s)), unavailable: input.skus.filter((s) => !active.has(s)) };
    },

    async releaseHolds(input: { holdKey: string }): Promise<{ released: number }> {
      return db.$transaction(async (tx) => {
        const active = await tx.inventoryHold.findMany({ where: { holdKey: input.holdKey, status: 'ACTIVE' } });
        for (const h of active) {
          await tx.$executeRaw`UPDATE "InventoryLevel" SET reserved = GREATEST(reserved - ${h.quantity}, 0), "updatedAt" = now() WHERE "storeId" = ${h.storeId} AND sku = ${h.sku}`;
        }
        await tx.inventoryHold.updateMany({ where: { holdKey: input.holdKey, status: 'ACTIVE' }, data: { status: 'RELEASED', releasedAt: new Date() } });
        return { released: active.length };
      });
    },

    /** Reserves a free suite for the slot; fails for good (NoSuiteAvailable) when every suite is taken. */
    async reserveSuite(input: {
      key: string;
      storeId: string;
      appointmentId: string;
      startsAt: string;
      endsAt: string;
    }): Promise<{ roomId: string; roomName: string }> {
      return db.$transaction(async (tx) => {
        const existing = await tx.roomReservation.findUnique({ where: { idempotencyKey: input.key }, include: { room: true } });
        if (existing && existing.status === 'HELD') return { roomId: existing.roomId, roomName: existing.room.name };
        const startsAt = new Date(input.startsAt);
        const endsAt = new Date(input.endsAt);
        // Suites in the order firstFreeSuite considers them.
        const suites = await tx.$queryRaw<{ id: string; name: string }[]>`
          SELECT id, name FROM "Room" WHERE "storeId" = ${input.storeId} AND kind = 'SUITE' AND active ORDER BY id FOR UPDATE`;
        for (const suite of suites) {
          const taken = await tx.roomReservation.count({
            where: { roomId: suite.id, status: 'HELD', startsAt: { lt: endsAt }, endsAt: { gt: startsAt } },
          });
          if (taken > 0) continue;
          if (existing) {
            await tx.roomReservation.update({ where: { id: existing.id }, data: { roomId: suite.id, status: 'HELD', releasedAt: null, startsAt, endsAt } });
          } else {
            await tx.roomReservation.create({
              data: { id: randomUUID(), roomId: suite.id, appointmentId: input.appointmentId, startsAt, endsAt, idempotencyKey: input.key },
            });
          }
          return { roomId: suite.id, roomName: suite.name };
        }
        throw ApplicationFailure.nonRetryable(`No suite is free in ${input.storeId} for this slot.`, AppointmentErrors.noSuite);
      });
    },

    async releaseSuite(input: { key: string }): Promise<void> {
      await db.roomReservation.updateMany({ where: { idempotencyKey: input.key, status: 'HELD' }, data: { status: 'RELEASED', releasedAt: new Date() } });
    },

    async appendPreparationNotes(input: { workflowId: string; appointmentId: string; notes: string }): Promise<void> {
      const marker = `[${input.workflowId}]`;
      const block = `${marker}\n${input.notes}`;
      // One statement; a retry finds its marker and changes nothing.
      const appended = await db.$executeRaw`
        UPDATE "Appointment"
           SET "preparationNotes" = CASE WHEN COALESCE("preparationNotes", '') = '' THEN ${block} ELSE "preparationNotes" || ${'\n\n'} || ${block} END,
               status = 'CONFIRMED', "updatedAt" = now() AT TIME ZONE 'UTC'
         WHERE id = ${input.appointmentId} AND strpos(COALESCE("preparationNotes", ''), ${marker}) = 0`;
      if (appended === 0 && (await db.appointment.count({ where: { id: input.appointmentId } })) === 0) {
        throw ApplicationFailure.nonRetryable(`Appointment ${input.appointmentId} does not exist.`, AppointmentErrors.notFound);
      }
    },

    async removePreparationNotes(input: { workflowId: string; appointmentId: string }): Promise<void> {
      const marker = `[${input.workflowId}]`;
      await db.$transaction(async (tx) => {
        const a = await tx.appointment.findUniqueOrThrow({ where: { id: input.appointmentId } });
        if (!a.preparationNotes?.includes(marker)) return;
        const kept = a.preparationNotes
          .split('\n\n')
          .filter((block) => !block.startsWith(marker))
          .join('\n\n');
        await tx.appointment.update({ where: { id: input.appointmentId }, data: { preparationNotes: kept || null, status: 'SCHEDULED' } });
      });
    },

    /**
     * The stylist's brief: when and where, the customer once (the workflow's preparation notes
     * repeat the same facts for the appointment record, so they are not printed again), the items
     * held and a link to the run. Replies reach the store.
     */
    async emailStylistBrief(input: { workflowId: string; brief: StylistBrief }): Promise<void> {
      const { appointment: a, customer: c, stylist, items } = input.brief;
      const store = await storeOf(a);
      const whenLocal = formatLocalTime(a.startsAt, store.timezone);
      const minutesToGo = minutesUntil(a.startsAt, now());
      const subject = `New styling appointment: ${c.name} (${c.tier}) at ${whenLocal}`;
      const body = renderEmail('stylist-brief', {
        subject,
        store,
        stylistFirstName: stylist.name.split(' ')[0],
        whenLocal,
        minutesToGo: minutesToGo > 0 && minutesToGo <= 240 ? minutesToGo : null,
        service: serviceName(a.serviceType),
        suiteName: input.brief.suiteName,
        customer: {
          name: c.name,
          firstName: c.firstName,
          tier: c.tier,
          years: c.yearsAsMember,
          purchases: c.purchaseCount,
          averageSpend: money(c.averageSpend),
          lastPurchase: c.lastPurchaseAt ? formatLocalDateAgo(c.lastPurchaseAt, store.timezone, now()) : 'none',
          style: c.styleTags.join(', ') || 'not recorded',
          colours: c.preferredColours.join(', ') || 'not recorded',
          sizes: `top ${c.sizes.top ?? '?'}, bottom ${c.sizes.bottom ?? '?'}, shoe ${c.sizes.shoe ?? '?'}`,
          notes: c.styleNotes || null,
        },
        items: items.map((i) => ({ sku: i.sku, name: i.name, brand: i.brand, colour: i.colour, size: i.size, price: money(i.price) })),
        link: runLink(input.workflowId),
      });
      await mail.sendOnce({
        key: `${input.workflowId}:stylist-brief:${stylist.staffId}`,
        kind: 'appointment.stylist_brief',
        to: stylist.email,
        subject,
        ...body,
        ...(store.email ? { replyTo: store.email } : {}),
        workflowId: input.workflowId,
      });
    },

    async emailStylistStandDown(input: {
      workflowId: string;
      appointment: AppointmentSnapshot;
      stylist: { staffId: string; name: string; email: string };
      customerName: string;
    }): Promise<void> {
      const store = await storeOf(input.appointment);
      const whenLocal = formatLocalTime(input.appointment.startsAt, store.timezone);
      const subject = `Cancelled: styling appointment with ${input.customerName} at ${whenLocal}`;
      await mail.sendOnce({
        key: `${input.workflowId}:stylist-stand-down:${input.stylist.staffId}`,
        kind: 'appointment.stylist_stand_down',
        to: input.stylist.email,
        subject,
        ...renderEmail('stylist-stand-down', {
          subject,
          store,
          stylistFirstName: input.stylist.name.split(' ')[0],
          customerName: input.customerName,
          whenLocal,
          link: runLink(input.workflowId),
        }),
        workflowId: input.workflowId,
      });
    },

    /** The customer's confirmation: local time with zone, the store's address, her stylist's specialties; replies reach the store. */
    async emailCustomerConfirmation(input: {
      workflowId: string;
      appointment: AppointmentSnapshot;
      customer: Customer360;
      stylistName: string;
      suiteName: string;
    }): Promise<void> {
      const a = input.appointment;
      const store = await storeOf(a);
      const row = await db.appointment.findUnique({ where: { id: a.id }, select: { stylist: { select: { skills: true } } } });
      const specialties = (row?.stylist?.skills ?? []).map((s) => s.replace(/[_-]+/g, ' ').toLowerCase());
      const subject = `Your styling appointment at ${a.storeName} is confirmed`;
      await mail.sendOnce({
        key: `${input.workflowId}:customer-confirmation`,
        kind: 'appointment.customer_confirmation',
        to: input.customer.email,
        subject,
        ...renderEmail('customer-confirmation', {
          subject,
          store,
          firstName: input.customer.firstName,
          service: serviceName(a.serviceType),
          whenLocal: formatLocalTime(a.startsAt, store.timezone),
          stylistName: input.stylistName,
          stylistSpecialties: specialties.length > 0 ? specialties.join(', ') : null,
          suiteName: input.suiteName,
        }),
        ...(store.email ? { replyTo: store.email } : {}),
        workflowId: input.workflowId,
      });
    },

    /** Tells the store's managers about an outcome they must act on (rejection, failure after rollback). */
    async emailStoreManagers(input: { workflowId: string; storeId: string; step: string; subject: string; lines: string[] }): Promise<void> {
      const managers = await db.principal.findMany({ where: { role: 'store_manager', active: true, storeIds: { has: input.storeId }, email: { not: null } } });
      const store = await loadStoreContact(db, input.storeId);
      for (const m of managers) {
        await mail.sendOnce({
          key: `${input.workflowId}:${input.step}:${m.id}`,
          kind: `appointment.${input.step}`,
          to: m.email!,
          subject: input.subject,
          ...renderEmail('process-notice', {
            subject: input.subject,
            store,
            recipientName: m.displayName,
            heading: input.subject,
            lines: input.lines.map((l) => localiseInstants(l, store?.timezone ?? 'UTC')),
            linkLabel: 'Open the recovery',
            link: runLink(input.workflowId),
          }),
          workflowId: input.workflowId,
        });
      }
    },
  };
}

export type AppointmentActivities = ReturnType<typeof createAppointmentActivities>;
