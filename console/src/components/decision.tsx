import { createContext, useContext, useId, useState, type ReactNode } from 'react';
import type { PendingApproval } from '../api';
import { useSession } from '../session';
import { dateTime, relative, roleLabel } from '../format';
import { Badge, ErrorBox, Notice, Section } from './ui';

/** Who may decide (role and scope) and by when; badges when overdue or escalated. */
export function PendingSummary({ pending }: { pending: PendingApproval }) {
  const overdue = new Date(pending.dueAt).getTime() < Date.now();
  return (
    <p className="pending-summary">
      <Badge tone="info">awaiting decision</Badge> {pending.levelLabel} (level {pending.level} of {pending.levelCount}), due{' '}
      <time dateTime={pending.dueAt} title={dateTime(pending.dueAt)}>
        {relative(pending.dueAt)}
      </time>{' '}
      {overdue && <Badge tone="bad">overdue</Badge>} {pending.escalated && <Badge tone="warn">escalated</Badge>}
      <span className="muted">
        {' '}
        · decided by{' '}
        {pending.approvers.map((a) => `${roleLabel(a.role)}${Object.values(a.scope).length ? ` (${Object.values(a.scope).join(', ')})` : ''}`).join(' or ')}
      </span>
    </p>
  );
}

/** Where a recorded decision is announced: the page keeps it when the form goes (nothing pending any more). */
export const DecisionFlash = createContext<(message: string) => void>(() => {});

export interface DecisionFormProps {
  pending: PendingApproval;
  /** Sends the decision; throws with the API's message when refused. */
  onDecide(decision: 'approve' | 'reject', comment: string): Promise<void>;
  approveLabel?: string;
  /** Why approving needs a comment now (an override, edited quantities, a counter-price), if it does. */
  approveNeedsComment?: string | null;
  /** Process-specific inputs above the comment (stylist override, counter-price). */
  children?: ReactNode;
  runLink: string;
}

/** Approve / reject with a comment; the API's answer (its problem detail) is shown in place. */
export function DecisionForm({ pending, onDecide, approveLabel = 'Approve', approveNeedsComment, children }: DecisionFormProps) {
  const { me } = useSession();
  const commentId = useId();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<null | 'approve' | 'reject'>(null);
  const [error, setError] = useState<string | null>(null);
  const flash = useContext(DecisionFlash);
  const mayDecide = !!me && pending.approvers.some((a) => a.role === me.role);

  async function send(decision: 'approve' | 'reject') {
    setBusy(decision);
    setError(null);
    try {
      await onDecide(decision, comment.trim());
      flash(`${decision === 'approve' ? 'Approved' : 'Rejected'}: ${pending.title}.`);
      setComment('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <form
      className="decision card"
      aria-label={`Decide: ${pending.title}`}
      onSubmit={(e) => {
        e.preventDefault();
        void send('approve');
      }}
    >
      <h2>Your decision</h2>
      {!mayDecide && (
        <p className="muted">This approval is for {pending.approvers.map((a) => roleLabel(a.role)).join(' or ')}; you can look, the API decides who may act.</p>
      )}
      {children}
      <label htmlFor={commentId}>
        Comment <span className="muted">(required to reject{approveNeedsComment ? ` and ${approveNeedsComment}` : ''})</span>
      </label>
      <textarea id={commentId} name="comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} />
      <div className="actions">
        <button type="submit" className="button-primary" disabled={busy !== null}>
          {busy === 'approve' ? 'Sending…' : approveLabel}
        </button>
        <button type="button" className="button-danger" disabled={busy !== null} onClick={() => void send('reject')}>
          {busy === 'reject' ? 'Sending…' : 'Reject'}
        </button>
      </div>
      <ErrorBox>{error}</ErrorBox>
    </form>
  );
}

type DecisionRow = { level: number; decision: string; actorId: string; actorRole: string; comment?: string | null; decidedAt: string; subjectId?: string };

/**
 * The side column of every decision page: what is pending with the form that decides it (the
 * process's own fields inside), or why nothing is, then the decisions so far.
 */
export function DecisionColumn<P extends PendingApproval>({
  pending,
  status,
  decisions,
  form,
}: {
  pending: P | null | undefined;
  status: string;
  decisions: DecisionRow[];
  form: (pending: P) => ReactNode;
}) {
  return (
    <div className="col-side">
      {pending ? (
        <>
          <PendingSummary pending={pending} />
          {form(pending)}
        </>
      ) : (
        <Notice>Nothing is waiting for a decision here{status !== 'running' ? ` (the run is ${status})` : ''}.</Notice>
      )}
      <Section title="Decisions">
        <DecisionsTable decisions={decisions} />
      </Section>
    </div>
  );
}

/** After the decision, or when nothing waits: what was decided, by whom. */
export function DecisionsTable({ decisions }: { decisions: DecisionRow[] }) {
  if (decisions.length === 0) return <p className="muted">No decisions yet.</p>;
  return (
    <div className="table-wrap">
      <table aria-label="Decisions">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Decision</th>
            <th scope="col">By</th>
            <th scope="col">Level</th>
            <th scope="col">Subject</th>
            <th scope="col">Comment</th>
          </tr>
        </thead>
        <tbody>
          {decisions.map((d, i) => (
            <tr key={i}>
              <td>{dateTime(d.decidedAt)}</td>
              <td>
                <Badge tone={d.decision === 'approve' ? 'good' : d.decision === 'reject' ? 'bad' : 'warn'}>{d.decision.replace(/_/g, ' ')}</Badge>
              </td>
              <td>
                {d.actorId} <span className="muted">({roleLabel(d.actorRole)})</span>
              </td>
              <td>{d.level}</td>
              <td>{d.subjectId ?? ''}</td>
              <td>{d.comment ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
