import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { isProcess, PROCESS_LABELS, type Process } from '../api';
import { DecisionsTable } from '../components/decision';
import { KeyValues } from '../components/values';
import { Badge, ErrorBox, Facts, Notice, Section, StatusBadge, Updated } from '../components/ui';
import { dateTime, words } from '../format';
import { usePolling } from '../hooks';
import { cancelRun, getState, type AnyState } from '../process-api';
import { useSession } from '../session';
import { CampaignRunDetails } from './decide/Campaign';

/** One run: `/console/runs/<process>/<id>`: stage, decisions so far, effects done, cancel, the Temporal UI. */
export function RunPage() {
  const { process, id } = useParams();
  const valid = isProcess(process) && !!id;
  // Of the run pages, only a campaign's shows context (its name and delivery from Postgres).
  const include = process === 'campaigns' ? 'context' : undefined;
  const loaded = usePolling(() => (valid ? getState(process, id, include) : Promise.reject(new Error('Unknown process'))), 3000, [process, id]);
  const { settings } = useSession();
  if (!valid) return <ErrorBox title="Not found">No process {process}.</ErrorBox>;
  const d = loaded.data;
  const s = d?.state as (AnyState['state'] & { startedAt?: string; closedAt?: string | null; failure?: string | null }) | undefined;
  const ui = settings?.temporalUi;
  const temporalLink =
    ui && s
      ? `${ui.url}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(s.workflowId)}${s.runId ? `/${encodeURIComponent(s.runId)}` : ''}`
      : null;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="eyebrow">{PROCESS_LABELS[process]} · run</p>
          <h1>{id}</h1>
          {s && (
            <p className="subhead" data-testid="run-status">
              <StatusBadge status={s.status} /> stage <strong data-testid="run-stage">{words(s.stage)}</strong>
            </p>
          )}
        </div>
        <Updated at={loaded.at} error={loaded.error} />
      </div>
      {loaded.error && !d && <ErrorBox>{loaded.error}</ErrorBox>}
      {d && s && (
        <div className="grid">
          <div className="col-main">
            <Section title="Run">
              <Facts
                items={[
                  ['Workflow ID', <code key="w">{s.workflowId}</code>],
                  ['Started', dateTime(s.startedAt)],
                  ['Closed', s.closedAt ? dateTime(s.closedAt) : 'still running'],
                  ...(s.failure
                    ? ([
                        [
                          'Failure',
                          <span className="text-bad" key="f">
                            {s.failure}
                          </span>,
                        ],
                      ] as [string, ReactNode][])
                    : []),
                  [
                    'Temporal UI',
                    temporalLink ? (
                      <a href={temporalLink} target="_blank" rel="noreferrer">
                        Open this run in the Temporal UI
                      </a>
                    ) : (
                      <span className="muted">not configured (TEMPORAL_UI_URL); search for the workflow ID there</span>
                    ),
                  ],
                ]}
              />
              {!!s.pendingApproval && (
                <Notice>
                  Waiting for a decision:{' '}
                  <Link to={`/approvals/${process}/${encodeURIComponent(id)}`}>{(s.pendingApproval as { title?: string }).title ?? 'open the approval'}</Link>
                </Notice>
              )}
            </Section>
            {d.process === 'campaigns' ? (
              <CampaignRunDetails state={d.state} />
            ) : (
              <Section title="Effects">
                <Effects d={d} />
              </Section>
            )}
            <Section title="Decisions so far">
              <DecisionsTable decisions={s.decisions as Parameters<typeof DecisionsTable>[0]['decisions']} />
            </Section>
          </div>
          <div className="col-side">{s.status === 'running' && <CancelForm process={process} id={id} reload={loaded.reload} />}</div>
        </div>
      )}
    </>
  );
}

function Effects({ d }: { d: AnyState }) {
  switch (d.process) {
    case 'appointment-recoveries': {
      const e = d.state.effects;
      const name = (staffId: string | null) => d.state.candidates.find((c) => c.staffId === staffId)?.name ?? staffId;
      return (
        <>
          <ul className="effects" aria-label="Effects done">
            <Effect done={!!e.stylistAssigned}>
              Stylist assigned{e.stylistAssigned ? `: ${name(e.stylistAssigned)}${d.state.assignedBy ? ` (${d.state.assignedBy})` : ''}` : ''}
            </Effect>
            <Effect done={e.stylistBriefed}>Stylist briefed with the customer&apos;s context</Effect>
            <Effect done={e.itemsHeld.length > 0}>{e.itemsHeld.length} items held</Effect>
            <Effect done={!!e.suiteReserved}>Suite reserved{e.suiteReserved ? `: ${e.suiteReserved}` : ''}</Effect>
            <Effect done={e.notesUpdated}>Appointment notes updated</Effect>
            <Effect done={e.customerConfirmed}>Customer confirmation sent</Effect>
          </ul>
          {e.undone.length > 0 && <p className="text-bad">Undone: {e.undone.join(', ')}</p>}
        </>
      );
    }
    case 'replenishments':
      return (
        <div className="table-wrap">
          <table aria-label="Purchase orders">
            <thead>
              <tr>
                <th scope="col">Purchase order</th>
                <th scope="col">Supplier</th>
                <th scope="col">Stage</th>
                <th scope="col">Sent</th>
                <th scope="col">Supplier reference</th>
                <th scope="col">Events</th>
              </tr>
            </thead>
            <tbody>
              {d.state.purchaseOrders.map((o) => (
                <tr key={o.id}>
                  <td>{o.id}</td>
                  <td>{o.supplierName}</td>
                  <td>
                    <Badge>{words(o.stage)}</Badge>
                  </td>
                  <td>{o.sentAt ? dateTime(o.sentAt) : '—'}</td>
                  <td>{o.supplierReference ?? '—'}</td>
                  <td>{o.events.map((ev) => words(ev.type)).join(', ') || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    default:
      return <KeyValues value={d.state.result} label="Result" />;
  }
}

function Effect({ done, children }: { done: boolean; children: ReactNode }) {
  return (
    <li className={done ? 'effect-done' : 'effect-pending'}>
      <span aria-hidden="true">{done ? '✓' : '○'}</span> {children} <span className="visually-hidden">{done ? '(done)' : '(not yet)'}</span>
    </li>
  );
}

function CancelForm({ process, id, reload }: { process: Process; id: string; reload(): Promise<void> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await cancelRun(process, id, reason.trim());
      setDone(true);
      await reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label="Cancel this run">
      <h2>Cancel this run</h2>
      <p className="muted small">What was done is compensated. The API decides whether your role may cancel.</p>
      <label htmlFor="cancel-reason">Reason</label>
      <textarea id="cancel-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
      <div className="actions">
        <button type="submit" className="button-danger">
          Cancel run
        </button>
      </div>
      <ErrorBox>{error}</ErrorBox>
      {done && <Notice>Cancellation requested.</Notice>}
    </form>
  );
}
