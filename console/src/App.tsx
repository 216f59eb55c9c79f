import { BrowserRouter, Navigate, NavLink, Route, Routes, useLocation } from 'react-router';
import { ApprovalPage } from './pages/Approval';
import { AlertsPage } from './pages/Alerts';
import { InboxPage } from './pages/Inbox';
import { RunPage } from './pages/Run';
import { RunsPage } from './pages/Runs';
import { SignInPage } from './pages/SignIn';
import { StartPage } from './pages/Start';
import { roleLabel, scopeLabel } from './format';
import { SessionProvider, useSession } from './session';

export function App() {
  return (
    <BrowserRouter basename="/console">
      <SessionProvider>
        <Shell />
      </SessionProvider>
    </BrowserRouter>
  );
}

function Shell() {
  const { me, loading, signOut } = useSession();
  const location = useLocation();
  if (loading) return <p className="loading">Loading…</p>;
  if (!me) return <SignInPage returnTo={location.pathname === '/sign-in' ? '/' : `${location.pathname}${location.search}`} />;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">Retail Ops</div>
        <nav aria-label="Console">
          <NavLink to="/inbox">Inbox</NavLink>
          <NavLink to="/alerts">Alerts</NavLink>
          <NavLink to="/runs">Runs</NavLink>
          <NavLink to="/start">Start</NavLink>
        </nav>
        <div className="who" aria-label="Signed in as">
          <span className="who-name" data-testid="principal-name">
            {me.displayName}
          </span>
          <span className="who-role" data-testid="principal-role">
            {roleLabel(me.role)} · {scopeLabel(me.scope)}
          </span>
          <button type="button" className="button-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Routes>
          <Route path="/" element={<Navigate to="/inbox" replace />} />
          <Route path="/sign-in" element={<Navigate to="/inbox" replace />} />
          <Route path="/inbox" element={<InboxPage />} />
          <Route path="/alerts" element={<AlertsPage />} />
          <Route path="/runs" element={<RunsPage />} />
          <Route path="/start" element={<StartPage />} />
          <Route path="/approvals/:process/:id" element={<ApprovalPage />} />
          <Route path="/runs/:process/:id" element={<RunPage />} />
          <Route
            path="*"
            element={
              <p>
                No such page. <NavLink to="/inbox">Back to the inbox</NavLink>.
              </p>
            }
          />
        </Routes>
      </main>
    </>
  );
}
