import type { RequestHandler } from 'express';
import { findTextProblems, unstorableReason } from '../domain/storable-text';
import { problems } from './errors';

const MAX_PATH_LENGTH = 2_000;
const MAX_QUERY_VALUE_LENGTH = 2_000;
const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

function decodedPath(rawPath: string): { path?: string; error?: string } {
  if (rawPath.length > MAX_PATH_LENGTH) return { error: `is longer than ${MAX_PATH_LENGTH} characters` };
  try {
    return { path: decodeURIComponent(rawPath) };
  } catch {
    return { error: 'is not valid percent-encoded UTF-8' };
  }
}

/**
 * The input rule at the door, before any route: the path, the query string, the JSON body and the
 * Idempotency-Key must be text Postgres can store and SMTP can carry (domain/storable-text.ts),
 * within length and nesting limits. Anything else is a 400 naming the fields, so no route, workflow
 * or activity ever sees it. The zod schemas of each route then apply their own, tighter limits.
 */
export const refuseUnstorableInput: RequestHandler = (req, _res, next) => {
  const errors: { field: string; message: string; code?: string }[] = [];

  const rawPath = req.originalUrl.split('?')[0] ?? '';
  const { path, error } = decodedPath(rawPath);
  if (error) errors.push({ field: 'path', message: error, code: 'invalid_path' });
  else {
    const reason = unstorableReason(path!);
    if (reason) errors.push({ field: 'path', message: reason, code: 'unstorable_character' });
  }

  const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
  for (const part of rawQuery.split('&').filter(Boolean)) {
    const [name = '', value = ''] = part.split('=', 2);
    let decodedName: string;
    let decodedValue: string;
    try {
      decodedName = decodeURIComponent(name.replace(/\+/g, ' '));
      decodedValue = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      errors.push({ field: `query.${name.slice(0, 60)}`, message: 'is not valid percent-encoded UTF-8', code: 'invalid_query' });
      continue;
    }
    errors.push(...findTextProblems({ [decodedName]: decodedValue }, 'query', { maxLength: MAX_QUERY_VALUE_LENGTH }));
  }

  if (req.body !== undefined && typeof req.body === 'object') errors.push(...findTextProblems(req.body, 'body'));

  const idempotencyKey = req.header('idempotency-key');
  if (
    idempotencyKey !== undefined &&
    (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7E]+$/.test(idempotencyKey))
  ) {
    errors.push({ field: 'header.Idempotency-Key', message: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters`, code: 'invalid_header' });
  }

  if (errors.length === 0) return next();
  next(problems.validation(errors.slice(0, 20), `Invalid input: ${[...new Set(errors.map((e) => e.field))].slice(0, 20).join(', ')}.`));
};
