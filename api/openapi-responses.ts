/** Response and request-body shorthands for the OpenAPI paths the app and each process definition register. */
import { ProblemSchema } from './schemas';
import type { z } from './zod';

export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
export const ok = (description: string, schema: z.ZodType) => ({ description, content: { 'application/json': { schema } } });
export const body = (schema: z.ZodType) => ({ body: { required: true, content: { 'application/json': { schema } } } });
export const common = { 401: problem('No valid API key'), 403: problem('Outside the caller’s role or scope') };
