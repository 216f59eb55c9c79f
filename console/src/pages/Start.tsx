import { useState, type FormEvent, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { api, must, PROCESS_LABELS, type Process } from '../api';
import { ErrorBox } from '../components/ui';
import { usePolling } from '../hooks';
import { useSession } from '../session';

/** Who may start what (the API checks again: these only decide which forms are shown). */
const START_ROLES: Record<Process, string[]> = {
  'appointment-recoveries': ['system', 'store_manager', 'regional_manager'],
  replenishments: ['system', 'store_manager', 'regional_manager'],
  'price-changes': ['system', 'category_manager', 'regional_manager'],
  campaigns: ['system', 'marketing_manager'],
  'model-retrainings': ['system', 'data_scientist'],
};

export function StartPage() {
  const { me } = useSession();
  const may = (p: Process) => !!me && START_ROLES[p].includes(me.role);
  const any = (Object.keys(START_ROLES) as Process[]).some(may);
  return (
    <>
      <div className="page-head">
        <h1>Start a process</h1>
      </div>
      {!any && <p className="empty">Your role starts no process here.</p>}
      <div className="start-grid">
        {may('replenishments') && <ReplenishmentForm />}
        {may('price-changes') && <PriceChangeForm />}
        {may('campaigns') && <CampaignForm />}
        {may('model-retrainings') && <RetrainingForm />}
        {may('appointment-recoveries') && <RecoveryForm />}
      </div>
    </>
  );
}

function StartCard({
  process,
  onStart,
  children,
  submitLabel,
}: {
  process: Process;
  onStart(): Promise<{ id: string }>;
  children: ReactNode;
  submitLabel: string;
}) {
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { id } = await onStart();
      navigate(`/runs/${process}/${encodeURIComponent(id)}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card" aria-label={`Start a ${PROCESS_LABELS[process].toLowerCase()}`} onSubmit={(e) => void submit(e)}>
      <h2>{PROCESS_LABELS[process]}</h2>
      {children}
      <div className="actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {busy ? 'Starting…' : submitLabel}
        </button>
      </div>
      <ErrorBox>{error}</ErrorBox>
    </form>
  );
}

function ReplenishmentForm() {
  const stores = usePolling(async () => must(await api.GET('/api/v1/stores')).items, 0, []);
  const [storeId, setStoreId] = useState('');
  const [asOf, setAsOf] = useState('');
  const chosen = storeId || stores.data?.[0]?.id || '';
  return (
    <StartCard
      process="replenishments"
      submitLabel="Plan purchase orders"
      onStart={async () => must(await api.POST('/api/v1/replenishments', { body: { storeId: chosen, ...(asOf ? { asOf } : {}) } }))}
    >
      <p className="muted small">
        Forecasts demand, plans reorder quantities and drafts one purchase order per supplier; the daily Schedule does the same at 06:00 store time.
      </p>
      <label htmlFor="repl-store">Store</label>
      <select id="repl-store" value={chosen} onChange={(e) => setStoreId(e.target.value)}>
        {(stores.data ?? []).map((s) => (
          <option key={s.id} value={s.id}>
            {s.id} · {s.name}
          </option>
        ))}
      </select>
      <label htmlFor="repl-asof">
        Planning day <span className="muted">(optional, today when empty)</span>
      </label>
      <input id="repl-asof" type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} />
    </StartCard>
  );
}

function PriceChangeForm() {
  const [sku, setSku] = useState('');
  const [newPrice, setNewPrice] = useState('');
  const [reason, setReason] = useState('');
  const [stores, setStores] = useState('');
  return (
    <StartCard
      process="price-changes"
      submitLabel="Request the price change"
      onStart={async () => {
        const storeIds = stores.split(/[\s,]+/).filter(Boolean);
        return must(
          await api.POST('/api/v1/price-changes', { body: { sku: sku.trim(), newPrice: Number(newPrice), reason, ...(storeIds.length ? { storeIds } : {}) } }),
        );
      }}
    >
      <label htmlFor="price-sku">SKU</label>
      <input id="price-sku" value={sku} onChange={(e) => setSku(e.target.value)} required />
      <label htmlFor="price-new">New price ($)</label>
      <input id="price-new" type="number" inputMode="decimal" min={0} step={0.01} value={newPrice} onChange={(e) => setNewPrice(e.target.value)} required />
      <label htmlFor="price-stores">
        Stores <span className="muted">(optional, comma-separated; every store when empty)</span>
      </label>
      <input id="price-stores" value={stores} onChange={(e) => setStores(e.target.value)} />
      <label htmlFor="price-reason">Reason</label>
      <input id="price-reason" value={reason} onChange={(e) => setReason(e.target.value)} required />
    </StartCard>
  );
}

const TIERS = ['STANDARD', 'SILVER', 'GOLD', 'PLATINUM'] as const;

function CampaignForm() {
  const [name, setName] = useState('');
  const [tiers, setTiers] = useState<string[]>(['GOLD', 'PLATINUM']);
  const [store, setStore] = useState('S001');
  const [subjectA, setSubjectA] = useState('');
  const [bodyA, setBodyA] = useState('');
  const [subjectB, setSubjectB] = useState('');
  const [holdout, setHoldout] = useState('10');
  return (
    <StartCard
      process="campaigns"
      submitLabel="Draft the campaign"
      onStart={async () =>
        must(
          await api.POST('/api/v1/campaigns', {
            body: {
              name,
              segment: {
                ...(tiers.length ? { tiers: tiers as (typeof TIERS)[number][] } : {}),
                ...(store.trim() ? { storeIds: store.split(/[\s,]+/).filter(Boolean) } : {}),
              },
              variants: [{ key: 'a', subject: subjectA, body: bodyA }, ...(subjectB.trim() ? [{ key: 'b', subject: subjectB, body: bodyA }] : [])],
              holdoutPercent: Number(holdout) || 0,
            },
          }),
        )
      }
    >
      <label htmlFor="camp-name">Name</label>
      <input id="camp-name" value={name} onChange={(e) => setName(e.target.value)} required />
      <fieldset>
        <legend>Tiers</legend>
        {TIERS.map((t) => (
          <label key={t} className="inline">
            <input
              type="checkbox"
              checked={tiers.includes(t)}
              onChange={(e) => setTiers((prev) => (e.target.checked ? [...prev, t] : prev.filter((x) => x !== t)))}
            />{' '}
            {t.toLowerCase()}
          </label>
        ))}
      </fieldset>
      <label htmlFor="camp-stores">Home stores (comma-separated; all when empty)</label>
      <input id="camp-stores" value={store} onChange={(e) => setStore(e.target.value)} />
      <label htmlFor="camp-subject-a">Subject, variant A</label>
      <input id="camp-subject-a" value={subjectA} onChange={(e) => setSubjectA(e.target.value)} required />
      <label htmlFor="camp-subject-b">
        Subject, variant B <span className="muted">(optional)</span>
      </label>
      <input id="camp-subject-b" value={subjectB} onChange={(e) => setSubjectB(e.target.value)} />
      <label htmlFor="camp-body">Body</label>
      <textarea id="camp-body" rows={3} value={bodyA} onChange={(e) => setBodyA(e.target.value)} required />
      <label htmlFor="camp-holdout">Holdout (%)</label>
      <input id="camp-holdout" type="number" min={0} max={50} value={holdout} onChange={(e) => setHoldout(e.target.value)} />
    </StartCard>
  );
}

function RetrainingForm() {
  const [modelName, setModelName] = useState('demand-forecast');
  const [reason, setReason] = useState('');
  return (
    <StartCard
      process="model-retrainings"
      submitLabel="Train a challenger"
      onStart={async () => must(await api.POST('/api/v1/model-retrainings', { body: { modelName, ...(reason ? { reason } : {}) } }))}
    >
      <label htmlFor="model-name">Model</label>
      <input id="model-name" value={modelName} onChange={(e) => setModelName(e.target.value)} required />
      <label htmlFor="model-reason">
        Reason <span className="muted">(optional)</span>
      </label>
      <input id="model-reason" value={reason} onChange={(e) => setReason(e.target.value)} />
    </StartCard>
  );
}

function RecoveryForm() {
  const [appointmentId, setAppointmentId] = useState('');
  return (
    <StartCard
      process="appointment-recoveries"
      submitLabel="Find a stylist"
      onStart={async () => must(await api.POST('/api/v1/appointment-recoveries', { body: { appointmentId: appointmentId.trim() } }))}
    >
      <p className="muted small">The appointment scan starts these on its own for unassigned appointments starting soon.</p>
      <label htmlFor="recovery-appointment">Appointment ID</label>
      <input id="recovery-appointment" value={appointmentId} onChange={(e) => setAppointmentId(e.target.value)} required />
    </StartCard>
  );
}
