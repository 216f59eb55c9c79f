import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, must, setApiKey, type Me, type Schemas } from './api';

type Settings = Schemas['ConsoleSettings'];

interface Session {
  me: Me | null;
  settings: Settings | null;
  /** True until the stored key (if any) has been checked. */
  loading: boolean;
  signIn(key: string): Promise<void>;
  signOut(): void;
}

const KEY = 'retail-ops-console.api-key';
const SessionContext = createContext<Session | null>(null);

/** The signed-in principal: the API key lives in sessionStorage (this tab only) and is checked with GET /me. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [loading, setLoading] = useState(true);

  const signIn = useCallback(async (key: string) => {
    setApiKey(key);
    try {
      const who = must(await api.GET('/api/v1/me'));
      sessionStorage.setItem(KEY, key);
      setMe(who);
    } catch (err) {
      setApiKey(null);
      throw err;
    }
  }, []);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(KEY);
    setApiKey(null);
    setMe(null);
  }, []);

  useEffect(() => {
    void api.GET('/api/v1/console-settings').then((r) => r.data && setSettings(r.data));
    const stored = sessionStorage.getItem(KEY);
    if (!stored) return void setLoading(false);
    signIn(stored)
      .catch(() => sessionStorage.removeItem(KEY))
      .finally(() => setLoading(false));
  }, [signIn]);

  const value = useMemo(() => ({ me, settings, loading, signIn, signOut }), [me, settings, loading, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
