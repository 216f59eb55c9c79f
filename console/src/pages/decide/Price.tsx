import { useState } from 'react';
import type { Schemas } from '../../api';
import { PriceBand } from '../../components/charts';
import { DecisionColumn, DecisionForm } from '../../components/decision';
import { Badge, Facts, Notice, Section } from '../../components/ui';
import { money, num, pct, words } from '../../format';
import { decide } from '../../process-api';
import type { DecisionViewProps } from './decision-view';

type State = Schemas['PriceChangeState'];

/** A ratio as a signed percentage: -0.25 → "−25.0%". */
const signedPct = (r: number | null) => (r === null ? '—' : `${r > 0 ? '+' : ''}${pct(r)}`);

export function PriceDecision({ id, state, reload, runLink }: DecisionViewProps<State>) {
  const ctx = state.decisionContext;
  const pending = state.pendingApproval;
  const [counter, setCounter] = useState('');
  const counterPrice = counter.trim() === '' ? null : Number(counter);
  return (
    <div className="grid">
      <div className="col-main">
        {!ctx && <Notice>The price change has no decision context yet.</Notice>}
        {ctx && (
          <>
            <Section title="The change">
              <Facts
                items={[
                  ['Product', `${ctx.productName ?? ctx.sku} (${ctx.sku})`],
                  ['Category', words(ctx.category)],
                  ['Cost', money(ctx.cost)],
                  ['Current price', money(ctx.currentPrice)],
                  [
                    'Requested price',
                    <>
                      {money(ctx.requestedPrice)} <strong>({signedPct(ctx.changePct)})</strong>
                    </>,
                  ],
                  ['Price after guardrails', money(ctx.finalPrice)],
                  ['Pricing engine suggests', money(ctx.enginePrice)],
                  ['Margin', `${pct(ctx.margin.currentPct)} now → ${pct(ctx.margin.proposedPct)} (floor ${pct(ctx.margin.minimumPct)})`],
                ]}
              />
              {ctx.reasons.length > 0 && (
                <ul className="reasons">
                  {ctx.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              )}
            </Section>
            <Section
              title="Guardrails"
              aside={ctx.bindingRule ? <Badge tone="warn">binding: {words(ctx.bindingRule)}</Badge> : <Badge tone="good">none binding</Badge>}
            >
              <div className="table-wrap">
                <table aria-label="Guardrail checks">
                  <thead>
                    <tr>
                      <th scope="col">Check</th>
                      <th scope="col" className="num">
                        Limit
                      </th>
                      <th scope="col">Result</th>
                      <th scope="col">Detail</th>
                    </tr>
                  </thead>
                  <tbody>
                    {ctx.checks.map((c) => (
                      <tr key={c.rule}>
                        <td>{c.label}</td>
                        <td className="num">{c.limit === null ? '—' : num(c.limit, 2)}</td>
                        <td>
                          {c.ok ? (
                            <Badge tone="good">pass</Badge>
                          ) : (
                            <Badge tone={c.severity === 'hard' ? 'bad' : 'warn'}>{c.severity === 'hard' ? 'fail' : 'warning'}</Badge>
                          )}
                        </td>
                        <td>{c.message ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {ctx.bindingReason && <p className="muted">{ctx.bindingReason}</p>}
            </Section>
            <Section title="Competitors">
              {ctx.competitors.band ? (
                <PriceBand
                  low={ctx.competitors.band.low}
                  high={ctx.competitors.band.high}
                  median={ctx.competitors.median}
                  current={ctx.currentPrice}
                  proposed={ctx.finalPrice ?? ctx.requestedPrice}
                />
              ) : (
                <p className="muted">No competitor band.</p>
              )}
              <p>
                {ctx.competitors.prices.length} prices seen{ctx.competitors.prices.length ? `: ${ctx.competitors.prices.map((p) => money(p)).join(', ')}` : ''};
                median {money(ctx.competitors.median)}
                {ctx.competitors.band && ` (band ±${pct(ctx.competitors.band.halfWidthPct, 0)})`}.
              </p>
            </Section>
            <Section title="Elasticity and expected impact">
              <p>
                {ctx.elasticity.value !== null ? (
                  <>
                    Price elasticity <strong>{num(ctx.elasticity.value, 2)}</strong> (r² {num(ctx.elasticity.r2, 2)}, {ctx.elasticity.points} price points,{' '}
                    {ctx.elasticity.confidence ?? 'unknown'} confidence).
                  </>
                ) : (
                  <>No elasticity estimate: {ctx.elasticity.reason ?? 'not enough price variation'}.</>
                )}
              </p>
              {ctx.expectedImpact ? (
                <div className="table-wrap">
                  <table aria-label="Expected impact per day">
                    <thead>
                      <tr>
                        <th scope="col">Per day</th>
                        <th scope="col" className="num">
                          Now
                        </th>
                        <th scope="col" className="num">
                          Expected
                        </th>
                        <th scope="col" className="num">
                          Change
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      <tr>
                        <td>Units</td>
                        <td className="num">{num(ctx.expectedImpact.baselineUnitsPerDay)}</td>
                        <td className="num">{num(ctx.expectedImpact.unitsPerDay)}</td>
                        <td className="num">{signedPct(ctx.expectedImpact.unitsChangePct)}</td>
                      </tr>
                      <tr>
                        <td>Revenue</td>
                        <td className="num">—</td>
                        <td className="num">{money(ctx.expectedImpact.revenuePerDay)}</td>
                        <td className="num">{signedPct(ctx.expectedImpact.revenueChangePct)}</td>
                      </tr>
                      <tr>
                        <td>Gross profit</td>
                        <td className="num">—</td>
                        <td className="num">{money(ctx.expectedImpact.grossProfitPerDay)}</td>
                        <td className="num">{signedPct(ctx.expectedImpact.grossProfitChangePct)}</td>
                      </tr>
                    </tbody>
                  </table>
                </div>
              ) : (
                <p className="muted">No expected impact without an elasticity.</p>
              )}
            </Section>
          </>
        )}
      </div>
      <DecisionColumn
        pending={pending}
        status={state.status}
        decisions={state.decisions}
        form={(p) => (
          <DecisionForm
            pending={p}
            runLink={runLink}
            approveLabel={counterPrice !== null ? `Approve at ${money(counterPrice)}` : 'Approve'}
            approveNeedsComment={counterPrice !== null ? 'to approve a counter-price' : null}
            onDecide={async (decision, comment) => {
              await decide('price-changes', id, {
                decision,
                ...(comment ? { comment } : {}),
                ...(decision === 'approve' && counterPrice !== null ? { counterPrice } : {}),
              });
              setCounter('');
              await reload();
            }}
          >
            <label htmlFor="counter-price">
              Counter-price <span className="muted">(optional: approve this price instead)</span>
            </label>
            <input id="counter-price" type="number" inputMode="decimal" min={0} step={0.01} value={counter} onChange={(e) => setCounter(e.target.value)} />
          </DecisionForm>
        )}
      />
    </div>
  );
}
