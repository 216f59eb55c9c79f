import { Router, type Request } from 'express';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { localDay, startReplenishment, StoreNotFoundError } from './starter';
import { PROCESS_TYPE, replenishmentStateQuery, SupplierEventErrors, supplierEventUpdate } from '../../../workflows/replenishment/messages';
import { requireRole } from '../../auth';
import { problems } from '../../errors';
import { body, common, ok, problem } from '../../openapi-responses';
import { processStatus } from '../../routes/processes';
import { assertStoreVisible } from '../../scope';
import { parse } from '../../validate';
import { z } from '../../zod';
import type { ProcessDefinition } from '../definition';
import { replenishmentApprovalDetails, ReplenishmentApprovalDetailsSchema, replenishmentContext, ReplenishmentStateSchema } from './approval-context';

const DAY_MS = 86_400_000;
const timingMs = z
  .number()
  .int()
  .min(1000)
  .max(30 * DAY_MS);

const isoDay = z
  .string()
  .refine(
    (d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d,
    'must be a real calendar day, yyyy-mm-dd',
  );

export const ReplenishmentStartSchema = z
  .object({
    storeId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a store ID such as S001'),
    asOf: isoDay
      .optional()
      .openapi({ description: 'Planning day (store-local); today in the store’s time zone when absent. At most a year back, never in the future.' }),
    batchSize: z.number().int().min(50).max(5000).optional().openapi({ description: 'SKUs per planning activity (default 500).' }),
    timing: z
      .object({
        escalateAfterMs: timingMs.optional(),
        reminderBeforeMs: z
          .number()
          .int()
          .min(0)
          .max(30 * DAY_MS)
          .optional(),
        expireAfterMs: timingMs.optional(),
        acknowledgmentTimeoutMs: timingMs.optional(),
        receiptGraceMs: z
          .number()
          .int()
          .min(0)
          .max(90 * DAY_MS)
          .optional(),
        receiptTimeoutMs: timingMs.optional(),
        sendGiveUpAfterMs: timingMs.optional(),
      })
      .strict()
      .optional()
      .openapi({
        description:
          'Overrides of the production timing (4 h to decide, reminder 1 h before, 24 h final deadline, 24 h to acknowledge, lead time + 7 days for receipts).',
      }),
  })
  .strict()
  .openapi('ReplenishmentStart');

type StartBody = z.infer<typeof ReplenishmentStartSchema>;

const EditLineSchema = z
  .object({
    sku: z.string().min(1).max(64),
    quantity: z.number().int('must be a whole number').min(0, 'must be 0 or more (0 drops the line)').max(100_000, 'is not a plausible order quantity'),
  })
  .strict();

export const SupplierEventSchema = z
  .object({
    eventId: z.string().min(1).max(200).openapi({ description: 'Unique per event; a repeated eventId is acknowledged and ignored.' }),
    purchaseOrderId: z.string().min(1).max(200),
    type: z.enum(['acknowledged', 'rejected', 'received']),
    supplierReference: z.string().min(1).max(200).optional(),
    occurredAt: z.string().datetime({ offset: true }).optional(),
    reason: z.string().max(2000).optional(),
    lines: z
      .array(
        z
          .object({
            sku: z.string().min(1).max(64),
            quantityReceived: z.number().int().min(0).max(1_000_000).optional(),
            quantityRejected: z.number().int().min(0).max(1_000_000).optional(),
            reason: z.string().max(2000).optional(),
          })
          .strict(),
      )
      .max(5000)
      .optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.type === 'received' && !e.lines?.length) ctx.addIssue({ code: 'custom', path: ['lines'], message: 'a receipt names the lines received' });
  })
  .openapi('SupplierEvent');

export const SupplierEventReceiptSchema = z
  .object({
    eventId: z.string(),
    duplicate: z.boolean(),
    purchaseOrderId: z.string(),
    purchaseOrderStage: z.string(),
  })
  .openapi('SupplierEventReceipt');

export const replenishments: ProcessDefinition<StartBody> = {
  resource: 'replenishments',
  processType: PROCESS_TYPE,
  title: 'Replenishment',
  startRoles: ['system', 'store_manager', 'regional_manager'],
  cancelRoles: ['system', 'store_manager', 'regional_manager'],
  startSchema: ReplenishmentStartSchema,
  decisionSchema: z
    .object({
      purchaseOrderId: z.string().min(1).max(200).optional().openapi({ description: 'The purchase order decided (required when several are pending).' }),
      lines: z
        .array(EditLineSchema)
        .min(1)
        .max(5000)
        .optional()
        .openapi({ description: 'Approve with edited quantities: whole packs, 0 drops a line (comment required).' }),
    })
    .strict(),
  async start(deps, body, principal) {
    // Scope first, so a caller learns nothing about stores outside it.
    await assertStoreVisible(deps.db, principal, body.storeId);
    const store = await deps.db.store.findUnique({ where: { id: body.storeId }, select: { id: true, timezone: true } });
    if (!store) throw problems.notFound(`Store ${body.storeId} does not exist.`);
    const today = localDay(new Date(), store.timezone);
    if (body.asOf && body.asOf > today) {
      throw problems.validation([{ field: 'body.asOf', message: `is after the store's today (${today})` }]);
    }
    if (body.asOf && Date.parse(`${today}T00:00:00Z`) - Date.parse(`${body.asOf}T00:00:00Z`) > 366 * DAY_MS) {
      throw problems.validation([{ field: 'body.asOf', message: 'is more than a year back' }]);
    }
    try {
      return await startReplenishment(deps, { storeId: store.id, asOf: body.asOf, requestedBy: principal.id, timing: body.timing, batchSize: body.batchSize });
    } catch (err) {
      if (err instanceof StoreNotFoundError) throw problems.notFound(err.message);
      throw err;
    }
  },
  stateQuery: replenishmentStateQuery,
  stateSchema: ReplenishmentStateSchema,
  context: (deps, state) => replenishmentContext(deps.db, state),
  resultIsState: true,
  approvalDetails: replenishmentApprovalDetails,
  approvalDetailsSchema: ReplenishmentApprovalDetailsSchema,
  decisionPayload: (b) => (Array.isArray(b.lines) ? { lines: b.lines } : undefined),
  decisionSubject: (b) => (typeof b.purchaseOrderId === 'string' ? b.purchaseOrderId : undefined),

  routes(deps, tools) {
    const router = Router();
    // Supplier acknowledgments, rejections and receipts (role system): a workflow Update whose
    // validator refuses what does not fit the PO. A repeated eventId changes nothing and is
    // answered duplicate: true by the workflow (no update ID: Temporal would replay the first
    // answer, duplicate: false).
    router.post('/:id/supplier-events', async (req: Request<{ id: string }>, res) => {
      const p = requireRole(req, ['system'], 'post supplier events');
      const event = parse(SupplierEventSchema, req.body, 'body');
      const desc = await tools.describe(req.params.id, p);
      if (processStatus(desc.status.name) !== 'running') {
        const seen = await deps.db.supplierEvent.findUnique({ where: { eventId: event.eventId }, include: { purchaseOrder: true } });
        if (seen && seen.purchaseOrder.workflowId === req.params.id) {
          return void res.json({
            eventId: event.eventId,
            duplicate: true,
            purchaseOrderId: seen.purchaseOrderId,
            purchaseOrderStage: seen.purchaseOrder.status.toLowerCase(),
          });
        }
        const po = await deps.db.purchaseOrder.findFirst({ where: { id: event.purchaseOrderId, workflowId: req.params.id } });
        if (!po) throw problems.notFound(`${event.purchaseOrderId} is not a purchase order of ${req.params.id}.`);
        throw problems.conflict('closed', `${req.params.id} has finished; ${event.purchaseOrderId} is ${po.status.toLowerCase()}.`);
      }
      try {
        const receipt = await deps.client.workflow.getHandle(req.params.id, desc.runId).executeUpdate(supplierEventUpdate, { args: [event] });
        res.json(receipt);
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
          const { type, message, details } = err.cause;
          if (type === SupplierEventErrors.unknownPurchaseOrder) throw problems.notFound(message);
          if (type === SupplierEventErrors.wrongStage) throw problems.conflict('wrong-stage', message);
          if (type === SupplierEventErrors.invalid) {
            const field = (details?.[0] as { field?: string } | undefined)?.field ?? 'body';
            throw problems.validation([{ field, message }], message);
          }
        }
        throw err;
      }
    });
    return router;
  },

  documentRoutes(registry, base) {
    registry.registerPath({
      method: 'post',
      path: `${base}/{id}/supplier-events`,
      tags: ['Replenishment'],
      security: [{ bearer: [] }],
      summary: 'Supplier acknowledgment, rejection or receipt of a purchase order (role system)',
      request: { params: z.object({ id: z.string() }), ...body(SupplierEventSchema) },
      responses: {
        200: ok('Booked (or a repeat of an event already booked: duplicate true)', SupplierEventReceiptSchema),
        400: problem('Invalid event: unknown line, more than outstanding, bad fields'),
        404: problem('Unknown replenishment or purchase order'),
        409: problem('The purchase order is not at a stage that takes this event'),
        ...common,
      },
    });
  },
};
