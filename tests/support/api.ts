import type request from 'supertest';

/** The Authorization header for an API key. */
export const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

/** The response is an RFC 9457 problem of this status and type slug. */
export function expectProblem(res: request.Response, status: number, slug: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: `https://retail-ops.dev/problems/${slug}` });
  expect(typeof res.body.title).toBe('string');
}

/** The fields a 400 problem names, sorted. */
export const fields = (res: request.Response): string[] => (res.body.errors ?? []).map((e: { field: string }) => e.field).sort();
