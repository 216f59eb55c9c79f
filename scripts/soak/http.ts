/** The soak's HTTP client of the public API: Bearer demo keys, JSON, never throws (status 0 = no answer). */
export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  error?: string;
}

export class SoakApi {
  requests = 0;
  byStatusClass: Record<string, number> = {};

  constructor(readonly baseUrl: string) {}

  async call<T = any>(
    method: string,
    path: string,
    principal: string,
    body?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 30_000,
  ): Promise<ApiAnswer<T>> {
    this.requests++;
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer demo-key-${principal}`,
          Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON */
      }
      const cls = `${Math.floor(res.status / 100)}xx`;
      this.byStatusClass[cls] = (this.byStatusClass[cls] ?? 0) + 1;
      return { status: res.status, body: parsed as T };
    } catch (err) {
      this.byStatusClass['no answer'] = (this.byStatusClass['no answer'] ?? 0) + 1;
      return { status: 0, body: null as T, error: err instanceof Error ? err.message : String(err) };
    }
  }
}

/** Worth trying again: no answer, a server error (the chaos), or rate limiting. */
export const transient = (status: number) => status === 0 || status >= 500 || status === 429 || status === 408;
