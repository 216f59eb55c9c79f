import { Router } from 'express';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../platform/db';
import { principalOf } from '../auth';
import { problems } from '../errors';
import { ProductQuerySchema } from '../schemas';
import { visibleStoreIds } from '../scope';
import { parse } from '../validate';

const money = (d: Prisma.Decimal | null) => (d === null ? null : Number(d));

/** Reference data any authenticated caller may read within their scope: stores, products, models. */
export function referenceRouter(db: Db): Router {
  const router = Router();

  router.get('/stores', async (req, res) => {
    const visible = await visibleStoreIds(db, principalOf(req));
    const stores = await db.store.findMany({ where: visible ? { id: { in: visible } } : {}, orderBy: { id: 'asc' } });
    res.json({ items: stores.map((s) => ({ id: s.id, name: s.name, regionId: s.regionId, city: s.city, timezone: s.timezone })) });
  });

  router.get('/products', async (req, res) => {
    const q = parse(ProductQuerySchema, req.query, 'query');
    const where: Prisma.ProductWhereInput = { active: true };
    if (q.category) where.category = q.category;
    if (q.q)
      where.OR = [
        { name: { contains: q.q, mode: 'insensitive' } },
        { sku: { contains: q.q, mode: 'insensitive' } },
        { brand: { contains: q.q, mode: 'insensitive' } },
      ];
    const [total, rows] = await Promise.all([
      db.product.count({ where }),
      db.product.findMany({ where, orderBy: { sku: 'asc' }, take: q.limit, skip: q.offset }),
    ]);
    res.json({
      total,
      items: rows.map((p) => ({
        sku: p.sku,
        name: p.name,
        category: p.category,
        brand: p.brand,
        colour: p.colour,
        size: p.size,
        cost: Number(p.cost),
        price: Number(p.price),
        map: money(p.map),
        supplierId: p.supplierId,
      })),
    });
  });

  router.get('/products/:sku', async (req, res) => {
    const p = await db.product.findUnique({ where: { sku: req.params.sku }, include: { inventory: { orderBy: { storeId: 'asc' } } } });
    if (!p) throw problems.notFound(`No product ${req.params.sku}.`);
    const visible = await visibleStoreIds(db, principalOf(req));
    res.json({
      sku: p.sku,
      name: p.name,
      category: p.category,
      brand: p.brand,
      colour: p.colour,
      size: p.size,
      cost: Number(p.cost),
      price: Number(p.price),
      map: money(p.map),
      supplierId: p.supplierId,
      stock: p.inventory
        .filter((i) => !visible || visible.includes(i.storeId))
        .map((i) => ({ storeId: i.storeId, onHand: i.onHand, reserved: i.reserved, onOrder: i.onOrder, available: i.onHand - i.reserved })),
    });
  });

  router.get('/models/:modelName', async (req, res) => {
    const versions = await db.modelVersion.findMany({ where: { modelName: req.params.modelName }, orderBy: { version: 'desc' }, include: { aliases: true } });
    if (versions.length === 0) throw problems.notFound(`No model ${req.params.modelName} is registered.`);
    const aliases: Record<string, number> = {};
    for (const v of versions) for (const a of v.aliases) aliases[a.alias] = v.version;
    const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
    res.json({
      modelName: req.params.modelName,
      aliases,
      versions: versions.map((v) => ({
        version: v.version,
        id: v.id,
        status: v.status,
        aliases: v.aliases.map((a) => a.alias),
        reason: v.reason,
        outcome: v.outcomeNote,
        metrics: v.metrics,
        trainingWindow: { from: day(v.trainingWindowStart), to: day(v.trainingWindowEnd) },
        holdoutWindow: v.holdoutStart ? { from: day(v.holdoutStart), to: day(v.holdoutEnd) } : null,
        // Kept for clients of the first contract.
        trainingWindowStart: v.trainingWindowStart.toISOString(),
        trainingWindowEnd: v.trainingWindowEnd.toISOString(),
        seriesCount: v.seriesCount,
        dataFingerprint: v.dataFingerprint,
        codeVersion: v.codeVersion,
        createdBy: v.createdBy,
        createdAt: v.createdAt.toISOString(),
        workflowId: v.workflowId,
      })),
    });
  });

  return router;
}
