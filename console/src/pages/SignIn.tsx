import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { ErrorBox } from '../components/ui';
import { roleLabel, scopeLabel } from '../format';
import { useSession } from '../session';

export function SignInPage({ returnTo }: { returnTo: string }) {
  const { settings, signIn } = useSession();
  const navigate = useNavigate();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function go(apiKey: string) {
    setBusy(true);
    setError(null);
    try {
      await signIn(apiKey);
      navigate(returnTo === '/' ? '/inbox' : returnTo, { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) void go(key.trim());
  };

  const demo = settings?.demoPrincipals ?? [];
  return (
    <main id="main" className="sign-in">
      <h1>Retail Ops console</h1>
      <p className="lead">Approvals, alerts and runs of the store processes, for the people who decide them.</p>
      <form onSubmit={submit} className="card">
        <h2>Sign in with an API key</h2>
        <label htmlFor="api-key">API key</label>
        <div className="row">
          <input id="api-key" name="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} required />
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </div>
        <ErrorBox title="Sign-in failed">{error}</ErrorBox>
      </form>
      {demo.length > 0 && (
        <section className="card" aria-labelledby="demo-heading">
          <h2 id="demo-heading">Demo mode: sign in as</h2>
          <p className="muted">These principals and their keys are the demo seed&apos;s (published in the README).</p>
          <ul className="demo-picker">
            {demo.map((p) => (
              <li key={p.id}>
                <button type="button" className="demo-principal" disabled={busy} onClick={() => void go(p.apiKey)} data-principal={p.id}>
                  <span className="demo-name">{p.displayName}</span>
                  <span className="demo-role">
                    {roleLabel(p.role)} · {scopeLabel(p.scope)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}
