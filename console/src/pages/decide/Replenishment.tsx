import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { PendingApproval, Schemas } from '../../api';
import { Sparkline } from '../../components/charts';
import { DecisionForm, DecisionsTable, PendingSummary } from '../../components/decision';
import { Badge, Facts, Notice, Section } from '../../components/ui';
import { money, num, pct, words } from '../../format';
import { decide } from '../../process-api';
import type { DecisionViewProps } from './decision-view';

/** 95%, but 99.5% (not a rounded 100%). */
const levelDigits = (ratio: number) => (Math.round(ratio * 1000) % 10 === 0 ? 0 : 1);

type State = Schemas['ReplenishmentState'];
type PurchaseOrder = Schemas['ReplenishmentPurchaseOrder'];

export function ReplenishmentDecision({ id, state, reload, runLink }: DecisionViewProps<State>) {
  const [params] = useSearchParams();
  const focus = params.get('po');
  // One purchase order is decided at a time (the one the inbox row or email named, else the first);
  // the others waiting are listed with links.
  const pending = state.pendingApprovals.filter((p): p is NonNullable<typeof p> => !!p);
  const current = pending.find((p) => p.subjectId === focus) ?? pending[0];
  const currentPo = current && state.purchaseOrders.find((o) => o.id === current.subjectId);
  const waiting = new Set(pending.map((p) => p.subjectId));
  return (
    <>
      <Section title="Replenishment run">
        <Facts
          items={[
            ['Store', `${state.storeName ?? state.storeId} (${state.storeId}${state.regionId ? `, region ${state.regionId}` : ''})`],
            ['Planning day', state.asOf],
            ['Purchase orders', `${state.totals.purchaseOrders} · ${state.totals.lines} lines · ${money(state.totals.value, true)}`],
            ['SKUs examined', `${state.planning.skusExamined} of ${state.planning.skusTotal}`],
          ]}
        />
      </Section>
      {pending.length === 0 && <Notice>No purchase order of this run is waiting for a decision.</Notice>}
      {current && currentPo && <PurchaseOrderDecision key={current.requestId} runId={id} po={currentPo} pending={current} reload={reload} runLink={runLink} />}
      <Section title="All purchase orders of this run">
        <div className="table-wrap">
          <table aria-label="Purchase orders">
            <thead>
              <tr>
                <th scope="col">Purchase order</th>
                <th scope="col">Supplier</th>
                <th scope="col">Approval tier</th>
                <th scope="col">Stage</th>
                <th scope="col" className="num">
                  Value
                </th>
                <th scope="col">Approved by</th>
              </tr>
            </thead>
            <tbody>
              {state.purchaseOrders.map((o) => (
                <tr key={o.id}>
                  <td>{waiting.has(o.id) && o.id !== current?.subjectId ? <Link to={`?po=${encodeURIComponent(o.id)}`}>{o.id}</Link> : o.id}</td>
                  <td>{o.supplierName}</td>
                  <td>{words(o.tier)}</td>
                  <td>
                    <Badge tone={waiting.has(o.id) ? 'info' : 'neutral'}>{waiting.has(o.id) ? 'awaiting decision' : words(o.stage)}</Badge>
                  </td>
                  <td className="num">{money(o.totalValue)}</td>
                  <td>{o.approvedBy.join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>
      <Section title="Decisions">
        <DecisionsTable decisions={state.decisions} />
      </Section>
    </>
  );
}

function PurchaseOrderDecision({
  runId,
  po,
  pending,
  reload,
  runLink,
}: {
  runId: string;
  po: PurchaseOrder;
  pending: PendingApproval;
  reload(): Promise<void>;
  runLink: string;
}) {
  // Edited quantities, in packs, by SKU; absent = as planned.
  const [packs, setPacks] = useState<Record<string, string>>({});
  const packsOf = (sku: string, quantity: number, packSize: number) => packs[sku] ?? String(Math.round(quantity / packSize));
  const edited = po.lines.filter((l) => packs[l.sku] !== undefined && Number(packs[l.sku]) * l.packSize !== l.quantity);
  const editedValue = po.lines.reduce((sum, l) => sum + Number(packsOf(l.sku, l.quantity, l.packSize)) * l.packSize * l.unitCost, 0);
  const headingId = `po-${po.id}`;
  return (
    <section className="card po" aria-labelledby={headingId} data-purchase-order={po.id}>
      <div className="card-head">
        <h2 id={headingId}>
          Purchase order {po.id} · {po.supplierName}
        </h2>
        <Badge tone="info">{money(po.totalValue, true)}</Badge>
      </div>
      <PendingSummary pending={pending} />
      <p>
        <strong>Why this tier:</strong> {(po.tierReason ?? '').replace(/\.+$/, '')}. Lead time {po.leadTimeDays} days.
        {po.approvedBy.length > 0 && <> Already approved by {po.approvedBy.join(', ')}.</>}
      </p>
      <div className="table-wrap">
        <table className="po-lines" aria-label={`Lines of ${po.id}`}>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">8 weeks of sales</th>
              <th scope="col" className="num" title="Forecast over lead time and review period (± one standard deviation)">
                Forecast
              </th>
              <th scope="col" className="num">
                Safety stock
              </th>
              <th scope="col" className="num">
                Reorder point
                <span className="block">→ up to</span>
              </th>
              <th scope="col" className="num" title="On hand − reserved + on order">
                Position
              </th>
              <th scope="col" className="num">
                Need
              </th>
              <th scope="col" className="num">
                Packs
              </th>
              <th scope="col" className="num">
                Units
              </th>
              <th scope="col" className="num">
                Value
              </th>
            </tr>
          </thead>
          <tbody>
            {po.lines.map((l) => {
              const w = l.why;
              const p = packsOf(l.sku, l.quantity, l.packSize);
              const units = Number(p) * l.packSize;
              return (
                <tr key={l.sku} data-sku={l.sku}>
                  <th scope="row">
                    <span className="sku">{l.sku}</span>
                    <span className="muted small">{l.productName}</span>
                    {w && <span className="why small">{w.sentence}</span>}
                  </th>
                  <td>
                    <Sparkline weeks={l.salesLast8Weeks ?? []} />
                  </td>
                  <td className="num">
                    {w ? (
                      <>
                        {num(w.forecastOverCover)}
                        {w.forecastStd !== null && <span className="muted small"> ±{num(w.forecastStd)}</span>}
                        <span className="muted small block">
                          {w.coverDays !== null ? `${num(w.coverDays, 0)} days` : ''}
                          {w.model ? ` · ${w.model.name} v${w.model.version}` : w.forecastMethod ? ` · ${w.forecastMethod}` : ''}
                        </span>
                      </>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className="num">
                    {w ? num(w.safetyStock) : '—'}
                    {w?.serviceLevel !== null && w?.serviceLevel !== undefined && (
                      <span className="muted small block">
                        {pct(w.serviceLevel, levelDigits(w.serviceLevel))} service, z {num(w.z, 2)}
                      </span>
                    )}
                    {w?.serviceFeedback && (
                      <span className="muted small block" data-testid="service-feedback">
                        target {pct(w.serviceFeedback.target, levelDigits(w.serviceFeedback.target))}: {w.serviceFeedback.cyclesWithStockout} of{' '}
                        {w.serviceFeedback.cycles} cycles ran out
                      </span>
                    )}
                  </td>
                  <td className="num">
                    {w ? num(w.reorderPoint) : '—'}
                    {w && <span className="muted small block">→ {num(w.orderUpTo)}</span>}
                  </td>
                  <td className="num">
                    {w ? num(w.inventoryPosition) : '—'}
                    {w && <span className="muted small block">{`${w.onHand} on hand · ${w.reserved} reserved · ${w.onOrder} on order`}</span>}
                  </td>
                  <td className="num">{w ? num(w.need) : '—'}</td>
                  <td className="num">
                    <label className="visually-hidden" htmlFor={`packs-${po.id}-${l.sku}`}>
                      Packs of {l.packSize} for {l.sku}
                    </label>
                    <input
                      id={`packs-${po.id}-${l.sku}`}
                      className="packs"
                      type="number"
                      inputMode="numeric"
                      min={0}
                      step={1}
                      value={p}
                      onChange={(e) => setPacks((prev) => ({ ...prev, [l.sku]: e.target.value }))}
                    />
                    <span className="muted small block">× {l.packSize}</span>
                  </td>
                  <td className="num">
                    {Number.isFinite(units) ? units : '—'}
                    {units !== l.plannedQuantity && <span className="muted small block">planned {l.plannedQuantity}</span>}
                  </td>
                  <td className="num">
                    {money(Number.isFinite(units) ? units * l.unitCost : l.lineValue)}
                    <span className="muted small block">@ {money(l.unitCost)}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={9} className="num">
                Total{edited.length > 0 ? ' (edited)' : ''}
              </th>
              <td className="num">
                <strong>{money(editedValue)}</strong>
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      <DecisionForm
        pending={pending}
        runLink={runLink}
        approveLabel={edited.length ? `Approve with ${edited.length} edited line${edited.length > 1 ? 's' : ''}` : 'Approve'}
        approveNeedsComment={edited.length ? 'to approve edited quantities' : null}
        onDecide={async (decision, comment) => {
          await decide('replenishments', runId, {
            decision,
            purchaseOrderId: po.id,
            ...(comment ? { comment } : {}),
            ...(decision === 'approve' && edited.length ? { lines: edited.map((l) => ({ sku: l.sku, quantity: Number(packs[l.sku]) * l.packSize })) } : {}),
          });
          setPacks({});
          await reload();
        }}
      />
    </section>
  );
}
