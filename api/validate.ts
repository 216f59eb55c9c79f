import type { ZodType, z } from 'zod';
import { zodProblem } from './errors';

/** Parses with zod; any failure becomes a 400 problem naming every invalid field. */
export function parse<S extends ZodType>(schema: S, value: unknown, location: 'body' | 'query' | 'params' | 'header'): z.infer<S> {
  const r = schema.safeParse(value ?? (location === 'body' ? {} : value));
  if (!r.success) throw zodProblem(r.error, location);
  return r.data;
}
