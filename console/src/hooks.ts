import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  /** When the data was last fetched. */
  at: Date | null;
  reload(): Promise<void>;
}

/**
 * Loads `fetcher` now and again every `everyMs` (0: once) while the page is open; the last good
 * data stays on screen when a refresh fails (the error is shown beside it).
 */
export function usePolling<T>(fetcher: () => Promise<T>, everyMs: number, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [at, setAt] = useState<Date | null>(null);
  const latest = useRef(fetcher);
  latest.current = fetcher;
  const generation = useRef(0);

  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const d = await latest.current();
      if (mine !== generation.current) return;
      setData(d);
      setError(null);
      setAt(new Date());
    } catch (err) {
      if (mine !== generation.current) return;
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);

  useEffect(() => {
    setData(undefined);
    setError(null);
    void reload();
    if (!everyMs) return;
    const timer = setInterval(() => void reload(), everyMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
    // The caller's deps decide when polling restarts (like useEffect's), not the function's identity.
  }, deps);

  return { data, error, at, reload };
}

/** Re-renders every `ms` so relative times ("in 5 min") stay true. */
export function useNow(ms = 15_000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
