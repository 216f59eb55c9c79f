import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import { PROBLEM_BASE } from './errors';

/** Header bytes a request may carry before it is refused with 431 (Node's default). */
export const MAX_HEADER_BYTES = 16 * 1024;

const CLIENT_ERRORS: Record<string, { status: number; slug: string; title: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    slug: 'headers-too-large',
    title: 'Request header fields too large',
    detail: `The request headers exceed ${MAX_HEADER_BYTES} bytes.`,
  },
};
const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/**
 * Answers what Node's HTTP parser refuses before Express sees it (oversized headers, malformed
 * requests, header timeouts) with a problem+json body too, instead of Node's bare status line.
 */
export function answerClientErrors(server: Server): Server {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    const known = err.code ? CLIENT_ERRORS[err.code] : undefined;
    const problem =
      known ??
      (err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? { status: 408, slug: 'request-timeout', title: 'Request timeout', detail: 'The request was not received in time.' }
        : { status: 400, slug: 'bad-request', title: 'Bad request', detail: 'The request is not valid HTTP.' });
    const body = JSON.stringify({ type: `${PROBLEM_BASE}${problem.slug}`, title: problem.title, status: problem.status, detail: problem.detail });
    socket.end(
      `HTTP/1.1 ${problem.status} ${STATUS_TEXT[problem.status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
  return server;
}

/** The API's HTTP server: the Express app behind Node's parser limits, answering their refusals as problems. */
export function createApiServer(app: Express): Server {
  return answerClientErrors(createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app));
}
