import type { ReactNode } from 'react';
import type { Schemas } from '../../api';
import { DecisionColumn, DecisionForm } from '../../components/decision';
import { Badge, Section } from '../../components/ui';
import { dateTime, num, pct, relative, titleCase, words } from '../../format';
import { decide } from '../../process-api';
import type { DecisionViewProps } from './decision-view';

type State = Schemas['CampaignState'];
type AudienceAtApproval = Schemas['CampaignAudienceAtApproval'];
type Exclusion = Schemas['CampaignExclusion'];
type Previews = Schemas['CampaignPreviews'];
type Delivery = Schemas['CampaignDelivery'];
type SampleRecipient = Schemas['CampaignAudience']['sample'][number];

/** Product picks arrive as the email's text lines ("- Name, $price"). */
const picks = (text: string) =>
  text
    .split('\n')
    .map((l) => l.replace(/^\s*-\s*/, '').trim())
    .filter(Boolean)
    .join('; ');

interface FunnelStep {
  key: string;
  label: string;
  /** null: not counted when the audience was frozen (judged at send time). */
  count: number | null;
  kind: 'total' | 'out' | 'held';
  what: ReactNode;
}

const reasonsOf = (exclusions: Exclusion[], group: Exclusion['group']) =>
  exclusions
    .filter((e) => e.group === group && e.count > 0)
    .map((e) => `${e.label}: ${num(e.count, 0)}`)
    .join(' · ');

function funnelSteps(a: AudienceAtApproval): FunnelStep[] {
  const notCounted = <span className="muted">not counted at the freeze; judged at send time</span>;
  const split = a.split.map((s) => `variant ${s.variant}: ${num(s.recipients, 0)}`).join(' · ');
  return [
    { key: 'segment', label: 'In the segment', count: a.matched, kind: 'total', what: 'Customers the segment matched' },
    {
      key: 'consent',
      label: 'No consent or no email address',
      count: a.byGroup.consent,
      kind: 'out',
      what: <>Never mailed{reasonsOf(a.exclusions, 'consent') ? <span className="muted"> · {reasonsOf(a.exclusions, 'consent')}</span> : null}</>,
    },
    {
      key: 'suppression',
      label: 'Suppressed (unsubscribed, complaint, bounce, list)',
      count: a.byGroup.suppression,
      kind: 'out',
      what: <>Never mailed{reasonsOf(a.exclusions, 'suppression') ? <span className="muted"> · {reasonsOf(a.exclusions, 'suppression')}</span> : null}</>,
    },
    { key: 'eligible', label: 'May be mailed', count: a.eligible, kind: 'total', what: 'Variants and holdout together' },
    { key: 'holdout', label: 'Held out (control group)', count: a.byGroup.holdout, kind: 'out', what: 'Not mailed: the campaign is measured against them' },
    { key: 'to-mail', label: 'To be sent', count: a.toMail, kind: 'total', what: split || 'No variant has recipients' },
    {
      key: 'frequency_cap',
      label: 'of which held by the frequency cap',
      count: a.byGroup.frequencyCap,
      kind: 'held',
      what: a.byGroup.frequencyCap === null ? notCounted : 'Mailed by another campaign too recently: sent once their window opens',
    },
    {
      key: 'quiet_hours',
      label: 'of which held by quiet hours',
      count: a.byGroup.quietHours,
      kind: 'held',
      what: a.byGroup.quietHours === null ? notCounted : 'Local night for them: sent when their morning comes',
    },
    {
      key: 'sendable-now',
      label: 'Sendable at once',
      count: a.sendableNow,
      kind: 'total',
      what: a.sendableNow === null ? notCounted : 'Neither capped nor in quiet hours when frozen',
    },
  ];
}

/** The frozen audience as a funnel: segment → exclusions by reason → to be sent, holdout and holds shown. */
export function AudienceFunnel({ audience }: { audience: AudienceAtApproval }) {
  const steps = funnelSteps(audience);
  const of = Math.max(audience.matched, 1);
  return (
    <div className="table-wrap">
      <table className="funnel" aria-label="Audience funnel">
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col" className="num">
              Customers
            </th>
            <th scope="col">Of the segment</th>
            <th scope="col">What happens</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr key={s.key} data-step={s.key} className={`funnel-${s.kind}`}>
              <th scope="row">
                {s.kind === 'out' && <span aria-hidden="true">− </span>}
                {s.label}
              </th>
              <td className="num">{s.count === null ? '—' : num(s.count, 0)}</td>
              <td className="funnel-share">
                {s.count !== null && (
                  <span className="funnel-bar" aria-hidden="true">
                    <span style={{ width: `${Math.min(100, (s.count / of) * 100)}%` }} />
                  </span>
                )}
                <span className="small muted">{s.count === null ? '' : pct(s.count / of, 0)}</span>
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SampleRecipients({ sample }: { sample: SampleRecipient[] }) {
  if (sample.length === 0) return null;
  return (
    <>
      <h3>Sample recipients</h3>
      <ul className="plain">
        {sample.map((r) => (
          <li key={r.customerId}>
            {r.firstName} <Badge>{titleCase(r.tier)}</Badge> {r.variantKey ? `variant ${r.variantKey}` : 'holdout'}
            {r.productPicks ? <span className="muted"> · picks: {picks(r.productPicks)}</span> : null}
          </li>
        ))}
      </ul>
    </>
  );
}

export function CampaignAudienceSection({ state }: { state: State }) {
  const a = state.audienceAtApproval;
  return (
    <Section title="Audience (frozen at approval)" aside={a?.frozenAt ? <span className="small muted">frozen {dateTime(a.frozenAt)}</span> : undefined}>
      {!a ? (
        <p className="muted">The audience is being counted.</p>
      ) : (
        <>
          <AudienceFunnel audience={a} />
          {a.note && <p className="small muted">{a.note}</p>}
          <SampleRecipients sample={state.audience?.sample ?? []} />
        </>
      )}
    </Section>
  );
}

/**
 * Each variant as the recipient gets it. The HTML part is the email's own markup: it is shown only
 * inside a sandboxed frame (no scripts, no same-origin access, no navigation of the console).
 */
export function VariantPreviews({ previews, split }: { previews: Previews; split: AudienceAtApproval['split'] }) {
  const r = previews.recipient;
  return (
    <Section title="Variant previews">
      <p className="muted">
        Rendered by the send&apos;s own templates for {r.firstName} ({titleCase(r.tier)}), a real recipient of this audience
        {r.variantKey ? `, who gets variant ${r.variantKey}` : ', who is held out'}. The unsubscribe link is a stand-in: each recipient&apos;s own is signed at
        send time.
      </p>
      {previews.variants.map((v) => {
        const recipients = split.find((s) => s.variant === v.key)?.recipients;
        return (
          <article key={v.key} className="preview" data-variant={v.key} aria-labelledby={`variant-${v.key}`}>
            <h3 id={`variant-${v.key}`}>
              Variant {v.key}
              {recipients !== undefined && <span className="muted small"> · {num(recipients, 0)} recipients</span>}
            </h3>
            <dl className="facts">
              <div>
                <dt>Subject line</dt>
                <dd className="preview-subject">{v.subject}</dd>
              </div>
              <div>
                <dt>Template</dt>
                <dd>
                  <code>{v.subjectTemplate}</code>
                </dd>
              </div>
            </dl>
            <div className="preview-parts">
              <div>
                <h4>Text part{v.truncated ? ' (excerpt)' : ''}</h4>
                <pre className="preview-text" tabIndex={0} aria-label={`Variant ${v.key}, text part`}>
                  {v.text}
                </pre>
              </div>
              <div>
                <h4>HTML part{v.truncated ? ' (excerpt)' : ''}</h4>
                <iframe className="preview-frame" title={`Variant ${v.key}, HTML part`} sandbox="" srcDoc={v.html} referrerPolicy="no-referrer" />
              </div>
            </div>
          </article>
        );
      })}
    </Section>
  );
}

const reasonList = (items: { reason: string; count: number }[]) =>
  items.length === 0 ? null : (
    <ul className="reason-list">
      {items.map((x) => (
        <li key={x.reason}>
          {words(x.reason)}: {num(x.count, 0)}
        </li>
      ))}
    </ul>
  );

/** Sends by outcome and reason, the held and when they are offered again. */
export function CampaignSending({ state, delivery }: { state: State; delivery: Delivery }) {
  const d = delivery;
  const finished = state.status !== 'running';
  const rows: { key: string; label: string; count: number; why: ReactNode; show: boolean }[] = [
    { key: 'sent', label: 'Sent', count: d.sent, why: d.sentAfterHold > 0 ? `${num(d.sentAfterHold, 0)} of them after being held` : null, show: true },
    {
      key: 'held',
      label: 'Held',
      count: d.held,
      why:
        d.heldByReason.length === 0 ? null : (
          <ul className="reason-list">
            {d.heldByReason.map((x) => (
              <li key={x.reason}>
                {x.label}: {num(x.count, 0)}
                {x.earliestRetryAt && (
                  <span className="muted">
                    {' '}
                    · offered again {dateTime(x.earliestRetryAt)}
                    {x.latestRetryAt && x.latestRetryAt !== x.earliestRetryAt ? ` to ${dateTime(x.latestRetryAt)}` : ''}
                  </span>
                )}
              </li>
            ))}
          </ul>
        ),
      show: true,
    },
    { key: 'failed', label: 'Failed', count: d.failed, why: reasonList(d.failedByReason), show: true },
    { key: 'unknown', label: 'Unknown (perhaps delivered, never resent)', count: d.unknown, why: reasonList(d.unknownByReason), show: true },
    { key: 'skipped', label: 'Skipped at send time', count: d.skippedAtSend, why: reasonList(d.skippedByReason), show: d.skippedAtSend > 0 },
    { key: 'in-flight', label: 'Being sent now', count: d.inFlight, why: null, show: d.inFlight > 0 },
    { key: 'not-yet', label: finished ? 'Never attempted' : 'Not yet attempted', count: d.notYetAttempted, why: null, show: d.notYetAttempted > 0 },
  ];
  const of = Math.max(d.toMail, 1);
  const segments: [string, number][] = [
    ['sent', d.sent],
    ['held', d.held],
    ['failed', d.failed],
    ['unknown', d.unknown],
    ['skipped', d.skippedAtSend],
  ];
  return (
    <Section
      title="Sending"
      aside={
        <span>
          {state.paused && <Badge tone="warn">paused</Badge>}{' '}
          <Badge tone={state.stage === 'completed' ? 'good' : state.stage === 'holding' ? 'warn' : 'info'}>{words(state.stage)}</Badge>
        </span>
      }
    >
      <p>
        <strong data-testid="campaign-sent">{num(d.sent, 0)}</strong> of {num(d.toMail, 0)} recipients sent
        {d.pass > 1 ? <span className="muted"> · pass {d.pass} over the held</span> : null}
      </p>
      <div className="stacked-bar" aria-hidden="true">
        {segments.map(([k, n]) => (n > 0 ? <span key={k} className={`seg-${k}`} style={{ width: `${(n / of) * 100}%` }} /> : null))}
      </div>
      <div className="table-wrap">
        <table aria-label="Sending by outcome">
          <thead>
            <tr>
              <th scope="col">Outcome</th>
              <th scope="col" className="num">
                Recipients
              </th>
              <th scope="col">By reason</th>
            </tr>
          </thead>
          <tbody>
            {rows
              .filter((r) => r.show)
              .map((r) => (
                <tr key={r.key} data-outcome={r.key}>
                  <th scope="row">
                    <span className={`legend seg-${r.key}`} aria-hidden="true" /> {r.label}
                  </th>
                  <td className="num">{num(r.count, 0)}</td>
                  <td>{r.why ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
      {d.nextAttemptAt && !finished ? (
        <p data-testid="next-attempt">
          Held recipients are offered again <strong>{dateTime(d.nextAttemptAt)}</strong> <span className="muted">({relative(d.nextAttemptAt)})</span>.
        </p>
      ) : d.held > 0 && finished ? (
        <p className="muted">The run ended ({words(state.stage)}): its held recipients are not mailed.</p>
      ) : null}
    </Section>
  );
}

/** What the run page shows of a campaign (its effects): the sending, then the audience it was approved for. */
export function CampaignRunDetails({ state }: { state: State }) {
  return (
    <>
      {state.name && <p className="lead">{state.name}</p>}
      {state.delivery ? (
        <CampaignSending state={state} delivery={state.delivery} />
      ) : (
        <Section title="Sending">
          <p className="muted">
            {state.pendingApproval ? 'Nothing is sent before a marketing manager approves.' : `Nothing was sent (${words(state.stage)}).`}
          </p>
        </Section>
      )}
      {state.audienceAtApproval && (
        <Section
          title="Audience as approved"
          aside={state.audienceAtApproval.frozenAt ? <span className="small muted">frozen {dateTime(state.audienceAtApproval.frozenAt)}</span> : undefined}
        >
          <AudienceFunnel audience={state.audienceAtApproval} />
        </Section>
      )}
    </>
  );
}

export function CampaignDecision({ id, state, reload, runLink }: DecisionViewProps<State>) {
  const pending = state.pendingApproval;
  return (
    <div className="grid">
      <div className="col-main">
        {state.name && !pending && <p className="lead">{state.name}</p>}
        {state.delivery && <CampaignSending state={state} delivery={state.delivery} />}
        <CampaignAudienceSection state={state} />
        {state.previews ? (
          <VariantPreviews previews={state.previews} split={state.audienceAtApproval?.split ?? []} />
        ) : (
          state.audienceAtApproval && (
            <Section title="Variant previews">
              <p className="muted">No preview: the audience has nobody to mail.</p>
            </Section>
          )
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
            approveLabel="Approve and send"
            onDecide={async (decision, comment) => {
              await decide('campaigns', id, { decision, ...(comment ? { comment } : {}) });
              await reload();
            }}
          />
        )}
      />
    </div>
  );
}
