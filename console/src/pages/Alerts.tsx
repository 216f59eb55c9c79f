import { Link } from 'react-router';
import { api, must, type Schemas } from '../api';
import { Badge, ErrorBox, Updated } from '../components/ui';
import { dateTime, minutesUntil, titleCase, words } from '../format';
import { useNow, usePolling } from '../hooks';

type Recovery = Schemas['AppointmentRecoveryState'];

/**
 * Running appointment recoveries waiting for a decision, as the source scenario's store manager
 * alert: who the customer is, her tier, and how many minutes are left before the appointment.
 */
async function loadAlerts(): Promise<Recovery[]> {
  const list = must(await api.GET('/api/v1/appointment-recoveries', { params: { query: { status: 'running', pageSize: 50 } } }));
  const waiting = list.items.filter((i) => i.approvalPending);
  const states = await Promise.all(
    waiting.map(async (i) => {
      const r = await api.GET('/api/v1/appointment-recoveries/{id}', { params: { path: { id: i.id } } });
      return r.data;
    }),
  );
  return states
    .filter((s): s is Recovery => !!s && !!s.pendingApproval)
    .sort((a, b) => (a.appointment?.startsAt ?? '').localeCompare(b.appointment?.startsAt ?? ''));
}

export function AlertsPage() {
  const now = useNow(5000);
  const alerts = usePolling(loadAlerts, 5000, []);
  const items = alerts.data ?? [];
  return (
    <>
      <div className="page-head">
        <h1>Alerts</h1>
        <Updated at={alerts.at} error={alerts.error} />
      </div>
      <p className="muted">Appointments about to start without a stylist, each with a recommendation waiting for a decision.</p>
      {alerts.error && !alerts.data && <ErrorBox>{alerts.error}</ErrorBox>}
      {alerts.data && items.length === 0 && <p className="empty">No appointment needs a stylist right now.</p>}
      <ul className="alerts">
        {items.map((r) => {
          const a = r.appointment;
          const c = r.customer;
          const mins = a ? minutesUntil(a.startsAt, now) : null;
          const urgent = mins !== null && mins <= 30;
          return (
            <li key={r.id} className={`alert-card ${urgent ? 'alert-urgent' : ''}`} data-process-id={r.id}>
              <div className="alert-main">
                <p className="alert-title">
                  <strong>Unassigned appointment</strong> — {c?.name ?? 'a customer'}
                  {c && <Badge tone={c.tier === 'PLATINUM' ? 'info' : 'neutral'}>{titleCase(c.tier)} member</Badge>}
                </p>
                <p>
                  {titleCase(a?.serviceType)} at {a?.storeName ?? a?.storeId},{' '}
                  <strong className={urgent ? 'text-bad' : ''}>{mins === null ? '' : mins >= 0 ? `starts in ${mins} min` : `started ${-mins} min ago`}</strong>{' '}
                  <span className="muted">({dateTime(a?.startsAt, a?.timezone)})</span>
                </p>
                {r.recommendation && (
                  <p>
                    Recommended: <strong>{r.recommendation.name}</strong> — {r.recommendation.reasons.slice(0, 2).map(words).join('; ')}
                  </p>
                )}
              </div>
              <Link className="button" to={`/approvals/appointment-recoveries/${encodeURIComponent(r.id)}`} aria-label={`Details for ${c?.name ?? r.id}`}>
                Details
              </Link>
            </li>
          );
        })}
      </ul>
    </>
  );
}
