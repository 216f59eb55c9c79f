import { useEffect, useState } from 'react';
import type { Schemas } from '../../api';
import { DecisionColumn, DecisionForm } from '../../components/decision';
import { Badge, Facts, Section } from '../../components/ui';
import { dateTime, minutesUntil, money, num, titleCase, words } from '../../format';
import { decide } from '../../process-api';
import type { DecisionViewProps } from './decision-view';

type State = Schemas['AppointmentRecoveryState'];
type Preparation = NonNullable<State['preparation']>;

/** Until a state read with `include=context` arrives: nothing to show. */
const NO_PREPARATION: Preparation = { phase: 'none', items: [], inPreferredColours: 0, suite: null, note: null };

export function RecoveryDecision({ id, state, reload, runLink }: DecisionViewProps<State>) {
  const a = state.appointment;
  const c = state.customer;
  const rec = state.recommendation;
  const prep = state.preparation ?? NO_PREPARATION;
  const [stylistId, setStylistId] = useState<string | null>(rec?.staffId ?? null);
  useEffect(() => setStylistId((s) => s ?? rec?.staffId ?? null), [rec?.staffId]);
  const override = !!stylistId && !!rec && stylistId !== rec.staffId;
  const chosen = state.candidates.find((s) => s.staffId === stylistId);
  const pending = state.pendingApproval;

  return (
    <div className="grid">
      <div className="col-main">
        {a && (
          <Section title="Appointment">
            <Facts
              items={[
                ['Customer', c?.name ?? '—'],
                ['Service', titleCase(a.serviceType)],
                [
                  'Starts',
                  <>
                    {dateTime(a.startsAt, a.timezone)}{' '}
                    {a.status === 'SCHEDULED' && <strong>({minutesUntil(a.startsAt) >= 0 ? `in ${minutesUntil(a.startsAt)} min` : 'started'})</strong>}
                  </>,
                ],
                ['Store', `${a.storeName} (${a.storeId})`],
                ['Stylist', a.stylistId ? (state.candidates.find((s) => s.staffId === a.stylistId)?.name ?? a.stylistId) : <Badge tone="warn">none yet</Badge>],
                ['Suite', state.effects.suiteReserved ?? (prep.suite ? `${prep.suite.name} (reserved when approved)` : 'none free: reserved when approved')],
              ]}
            />
          </Section>
        )}
        {c && (
          <Section title="Customer 360" aside={<Badge tone="info">{titleCase(c.tier)} member</Badge>}>
            <Facts
              items={[
                ['Name', c.name],
                ['Member for', `${num(c.yearsAsMember)} years`],
                ['Purchases', `${c.purchaseCount} · ${money(c.totalSpend, true)} total · ${money(c.averageSpend)} average`],
                ['Last purchase', c.lastPurchaseAt ? `${dateTime(c.lastPurchaseAt)} (${num(c.daysSinceLastPurchase, 0)} days ago)` : 'none'],
                ['Top categories', c.topCategories.map(words).join(', ') || '—'],
                ['Style', c.styleTags.map(words).join(', ') || '—'],
                ['Colours', c.preferredColours.join(', ') || '—'],
                ['Sizes', `top ${c.sizes.top ?? '—'} · bottom ${c.sizes.bottom ?? '—'} · shoe ${c.sizes.shoe ?? '—'}`],
                ['Notes', c.styleNotes ?? '—'],
              ]}
            />
          </Section>
        )}
        <Section title="Stylists, best match first">
          <ol className="stylists" aria-label="Ranked stylists">
            {state.candidates.map((s, i) => (
              <li
                key={s.staffId}
                className={`stylist ${s.available ? '' : 'stylist-unavailable'} ${s.staffId === stylistId ? 'stylist-chosen' : ''}`}
                data-staff-id={s.staffId}
              >
                <div className="stylist-head">
                  <span className="rank" aria-hidden="true">
                    {i + 1}
                  </span>
                  <strong className="stylist-name">{s.name}</strong>
                  {rec?.staffId === s.staffId && <Badge tone="good">recommended</Badge>}
                  {!s.available && <Badge tone="bad">not available</Badge>}
                  <span className="muted">
                    score {num(s.score, 2)} · rating {num(s.rating)} · {s.appointmentsThatDay}/{s.maxDailyAppointments} bookings that day
                    {s.conflictingAppointments ? ` · ${s.conflictingAppointments} conflicting` : ''}
                  </span>
                </div>
                <ul className="reasons">
                  {s.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </Section>
        <Section title={prep.phase === 'preview' ? 'Items approving would hold for her' : 'Items held for her'}>
          {prep.items.length === 0 ? (
            <p className="muted">{prep.note ?? 'Picked from stock in her sizes and colours and held when the stylist is approved.'}</p>
          ) : (
            <>
              <p className="muted">
                {prep.inPreferredColours} of {prep.items.length} in her preferred colours.{prep.note ? ` ${prep.note}` : ''}
              </p>
              <div className="table-wrap">
                <table aria-label={prep.phase === 'preview' ? 'Items to hold' : 'Items held'}>
                  <thead>
                    <tr>
                      <th scope="col">Item</th>
                      <th scope="col">Colour</th>
                      <th scope="col">Size</th>
                      <th scope="col" className="num">
                        Price
                      </th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {prep.items.map((it) => (
                      <tr key={it.sku}>
                        <td>
                          {it.name}{' '}
                          <span className="muted">
                            {it.brand} · {it.sku}
                          </span>
                        </td>
                        <td>{it.colour}</td>
                        <td>{it.size}</td>
                        <td className="num">{money(it.price)}</td>
                        <td>{it.reasons.join('; ')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </Section>
      </div>
      <DecisionColumn
        pending={pending}
        status={state.status}
        decisions={state.decisions}
        form={(p) => (
          <DecisionForm
            pending={p}
            runLink={runLink}
            approveLabel={chosen ? `Assign ${chosen.name}` : 'Approve'}
            approveNeedsComment={override ? 'to assign another stylist than the recommendation' : null}
            onDecide={async (decision, comment) => {
              await decide('appointment-recoveries', id, {
                decision,
                ...(comment ? { comment } : {}),
                ...(decision === 'approve' && override && stylistId ? { stylistId } : {}),
              });
              await reload();
            }}
          >
            <label htmlFor="stylist">Stylist to assign</label>
            <select id="stylist" value={stylistId ?? ''} onChange={(e) => setStylistId(e.target.value)}>
              {state.candidates
                .filter((s) => s.available)
                .map((s) => (
                  <option key={s.staffId} value={s.staffId}>
                    {s.name}
                    {s.staffId === rec?.staffId ? ' (recommended)' : ''}
                  </option>
                ))}
            </select>
          </DecisionForm>
        )}
      />
    </div>
  );
}
