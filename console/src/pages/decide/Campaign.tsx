import type { PendingApproval } from '../../api';
import { DecisionForm, DecisionsTable, PendingSummary } from '../../components/decision';
import { Badge, Facts, Notice, Section } from '../../components/ui';
import { dateTime, num, titleCase, words } from '../../format';
import { decide, type StateOf } from '../../process-api';
import type { DecisionViewProps } from '../Approval';

/** The campaign state as far as the console reads it (its OpenAPI schema is the generic one for now). */
interface CampaignView {
  status: string;
  stage: string;
  pendingApproval: PendingApproval | null;
  decisions: { level: number; decision: string; actorId: string; actorRole: string; comment?: string; decidedAt: string }[];
  audience?: {
    matched?: number;
    eligible?: number;
    suppressed?: Record<string, number>;
    split?: Record<string, unknown>;
    sample?: { customerId: string; firstName: string; tier: string; variantKey: string | null; productPicks?: string }[];
    atSnapshot?: { asOf: string; held: Record<string, number>; sendableNow: number };
  } | null;
  progress?: Record<string, number>;
  variants?: { key: string; subject: string; body?: string; preview?: { subject?: string; text?: string; html?: string } }[];
  previews?: { variantKey: string; subject: string; text?: string }[];
  nextAttemptAt?: string | null;
  paused?: boolean;
}

/** Product picks arrive as the email's text lines ("- Name, $price"). */
const picks = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/^\s*-\s*/, '').trim())
    .filter(Boolean)
    .join('; ');

const asView = (s: StateOf['campaigns']) => s as unknown as CampaignView;

function CountTable({ label, counts }: { label: string; counts: Record<string, unknown> }) {
  const rows = Object.entries(counts).filter(([, v]) => typeof v === 'number');
  if (rows.length === 0) return <p className="muted">none</p>;
  return (
    <div className="table-wrap">
      <table aria-label={label}>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{words(k)}</th>
              <td className="num">{num(v as number, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CampaignAudience({ view }: { view: CampaignView }) {
  const a = view.audience;
  const previews = view.previews ?? [];
  return (
    <>
      <Section title="Audience (frozen at approval)">
        {!a ? (
          <p className="muted">The audience is being counted.</p>
        ) : (
          <>
            <Facts
              items={[
                ['In the segment', num(a.matched ?? null, 0)],
                ['May be mailed', num(a.eligible ?? null, 0)],
                ...(a.atSnapshot ? ([['Sendable now', `${num(a.atSnapshot.sendableNow, 0)} (at ${dateTime(a.atSnapshot.asOf)})`]] as [string, string][]) : []),
              ]}
            />
            <div className="two-col">
              <div>
                <h3>Excluded, by reason</h3>
                <CountTable label="Excluded by reason" counts={a.suppressed ?? {}} />
              </div>
              {a.atSnapshot && (
                <div>
                  <h3>Held at the snapshot, by reason</h3>
                  <CountTable label="Held by reason" counts={a.atSnapshot.held} />
                </div>
              )}
              {a.split && (
                <div>
                  <h3>Split</h3>
                  <CountTable label="Variant split" counts={Object.fromEntries(Object.entries(a.split).flatMap(([k, v]) => (typeof v === 'number' ? [[k, v]] : v && typeof v === 'object' ? Object.entries(v as Record<string, unknown>).map(([k2, v2]) => [`${k === 'byVariant' ? 'variant' : words(k)} ${k2}`, v2]) : [])))} />
                </div>
              )}
            </div>
            {a.sample && a.sample.length > 0 && (
              <>
                <h3>Sample recipients</h3>
                <ul className="plain">
                  {a.sample.map((r) => (
                    <li key={r.customerId}>
                      {r.firstName} <Badge>{titleCase(r.tier)}</Badge> variant {r.variantKey ?? 'holdout'}
                      {r.productPicks ? <span className="muted"> · picks: {picks(r.productPicks)}</span> : null}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </Section>
      {previews.length > 0 && (
        <Section title="Variant previews">
          {previews.map((p) => (
            <article key={p.variantKey} className="preview">
              <h3>
                Variant {p.variantKey}: {p.subject}
              </h3>
              {p.text && <pre className="preview-text">{p.text}</pre>}
            </article>
          ))}
        </Section>
      )}
      {view.progress && !view.pendingApproval && (
        <Section title="Sending">
          <CountTable label="Sending progress" counts={view.progress} />
          {view.paused && <Badge tone="warn">paused</Badge>}
          {view.nextAttemptAt && <p className="muted">Held recipients are tried again {dateTime(view.nextAttemptAt)}.</p>}
        </Section>
      )}
    </>
  );
}

export function CampaignDecision({ id, state, reload, runLink }: DecisionViewProps<StateOf['campaigns']>) {
  const view = asView(state);
  const pending = view.pendingApproval;
  return (
    <div className="grid">
      <div className="col-main">
        <CampaignAudience view={view} />
      </div>
      <div className="col-side">
        {pending ? (
          <>
            <PendingSummary pending={pending} />
            <DecisionForm
              pending={pending}
              runLink={runLink}
              approveLabel="Approve and send"
              onDecide={async (decision, comment) => {
                await decide('campaigns', id, { decision, ...(comment ? { comment } : {}) });
                await reload();
              }}
            />
          </>
        ) : (
          <Notice>Nothing is waiting for a decision here{view.status !== 'running' ? ` (the run is ${view.status})` : ''}.</Notice>
        )}
        <Section title="Decisions">
          <DecisionsTable decisions={view.decisions} />
        </Section>
      </div>
    </div>
  );
}
