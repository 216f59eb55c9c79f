/**
 * Shared plumbing for the external-system HTTP clients: one request, a timeout, and an error that
 * says whether trying again can help. No retry loops here: Temporal retries the activity.
 */

export type ExternalFailureKind = 'http' | 'network' | 'timeout' | 'invalid-response';

export class ExternalSystemError extends Error {
  override readonly name = 'ExternalSystemError';
  readonly retryable: boolean;
  readonly status?: number;
  readonly kind: ExternalFailureKind;
  readonly system: string;
  /** The response body (parsed JSON when possible), for HTTP failures. */
  readonly body?: unknown;

  constructor(message: string, opts: { system: string; kind: ExternalFailureKind; retryable: boolean; status?: number; body?: unknown; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.system = opts.system;
    this.kind = opts.kind;
    this.retryable = opts.retryable;
    if (opts.status !== undefined) this.status = opts.status;
    if (opts.body !== undefined) this.body = opts.body;
  }
}

/** 5xx, 429 and 408 may pass on their own; any other 4xx will fail the same way again. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

export interface HttpClientOptions {
  /** Per-request timeout, headers and body included. Default 10 s. */
  timeoutMs?: number;
  /** For tests. */
  fetch?: typeof fetch;
}

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  idempotencyKey?: string;
  body?: unknown;
}

export interface JsonResponse<T> {
  status: number;
  body: T;
}

export type JsonRequester = <T>(req: JsonRequest, opts?: { allowNotFound?: boolean }) => Promise<JsonResponse<T> | null>;

export function normalizeBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl); // throws on a malformed base URL, at construction time
  return url.toString().replace(/\/+$/, '');
}

export const seg = (s: string) => encodeURIComponent(s);

/**
 * Builds `request`: sends JSON, parses JSON, maps every failure to an ExternalSystemError.
 * With `allowNotFound` a 404 resolves to null instead of throwing.
 */
export function createJsonRequester(system: string, baseUrl: string, opts: HttpClientOptions = {}): JsonRequester {
  const base = normalizeBaseUrl(baseUrl);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const doFetch = opts.fetch ?? fetch;

  return async <T>(req: JsonRequest, o: { allowNotFound?: boolean } = {}): Promise<JsonResponse<T> | null> => {
    const what = `${system} ${req.method} ${req.path}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    if (req.idempotencyKey !== undefined) headers['Idempotency-Key'] = req.idempotencyKey;

    const signal = AbortSignal.timeout(timeoutMs);
    let res: globalThis.Response;
    let text: string;
    try {
      res = await doFetch(`${base}${req.path}`, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal,
      });
      text = await res.text();
    } catch (err) {
      // The signal, not the error's class: errors may come from another realm (vm contexts, jest).
      const timedOut = signal.aborted;
      throw new ExternalSystemError(timedOut ? `${what}: no answer within ${timeoutMs} ms` : `${what}: ${describeNetworkError(err)}`, {
        system,
        kind: timedOut ? 'timeout' : 'network',
        retryable: true,
        cause: err,
      });
    }

    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (res.status === 404 && o.allowNotFound) return null;
    if (!res.ok) {
      const detail = body && typeof body === 'object' && 'detail' in body ? `: ${String((body as { detail: unknown }).detail)}` : '';
      throw new ExternalSystemError(`${what} answered ${res.status}${detail}`, {
        system,
        kind: 'http',
        retryable: isRetryableStatus(res.status),
        status: res.status,
        body,
      });
    }
    if (body === undefined || typeof body !== 'object') {
      throw new ExternalSystemError(`${what} answered ${res.status} without a JSON body`, {
        system,
        kind: 'invalid-response',
        retryable: true,
        status: res.status,
        body,
      });
    }
    return { status: res.status, body: body as T };
  };
}

function describeNetworkError(err: unknown): string {
  if (!err || typeof err !== 'object' || !('message' in err)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? ` (${String((cause as { code: unknown }).code)})` : '';
  return `${String(err.message)}${code}`;
}
