/** Sends one materialised request over a real socket (node:http: raw paths, raw bytes, oversized headers) with a deadline. */
import http from 'node:http';

export interface WireRequest {
  method: string;
  /** Path and query, exactly as sent. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface WireResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

export class RequestTimeout extends Error {}

// A connection per request: a kept-alive socket the server closes while idle (its keepAliveTimeout)
// would fail the next request with a hang-up that says nothing about the API.
const agent = new http.Agent({ keepAlive: false, maxSockets: 64 });

export function send(baseUrl: string, req: WireRequest, timeoutMs: number): Promise<WireResponse> {
  const url = new URL(baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body) headers['Content-Length'] = req.body.length;
    const r = http.request(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent, insecureHTTPParser: false, maxHeaderSize: 1 << 20 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: Date.now() - started });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => {
      r.destroy(new RequestTimeout(`no response within ${timeoutMs} ms`));
    }, timeoutMs);
    r.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (req.body) r.write(req.body);
    r.end();
  });
}

export function closeAgent(): void {
  agent.destroy();
}
