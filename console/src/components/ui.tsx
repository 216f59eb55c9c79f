import type { ReactNode } from 'react';

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'good' | 'warn' | 'bad' | 'info'; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** An error in place, read out by screen readers when it appears. */
export function ErrorBox({ children, title = 'The API refused' }: { children: ReactNode; title?: string }) {
  if (!children) return null;
  return (
    <div className="error-box" role="alert">
      <strong>{title}:</strong> {children}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="notice" role="status">
      {children}
    </div>
  );
}

export function Section({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <section className="card" aria-labelledby={id}>
      <div className="card-head">
        <h2 id={id}>{title}</h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

/** Label / value pairs. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Updated({ at, error }: { at: Date | null; error: string | null }) {
  return (
    <p className="updated" aria-live="polite">
      {error ? <span className="text-bad">Refresh failed: {error}</span> : at ? `Updated ${at.toLocaleTimeString()}` : 'Loading…'}
    </p>
  );
}

const STATUS_TONE: Record<string, 'good' | 'warn' | 'bad' | 'info' | 'neutral'> = { running: 'info', completed: 'good', failed: 'bad', cancelled: 'neutral' };
export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONE[status] ?? 'neutral'}>{status}</Badge>;
}
