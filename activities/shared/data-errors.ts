/**
 * Errors an activity will meet again on every retry because its input is what the database
 * refuses: they fail the activity at once, non-retryably, as `InvalidData`, so the workflow handles
 * them (refuses the decision, compensates, fails) instead of retrying until its attempts run out.
 *
 * What Prisma 7 with @prisma/adapter-pg throws (observed against Postgres, see
 * tests/unit/data-errors.test.ts): a PrismaClientKnownRequestError whose `meta.driverAdapterError`
 * is a DriverAdapterError; its `cause` carries the SQLSTATE as `originalCode`. The Prisma `code`
 * depends on the path: P2000 (22001 too long), P2003 (23503), P2007 (22P02), P2011 (23502),
 * P2020 (22003), P2010 for every raw query, and P2039 for anything the adapter does not map
 * (22021 NUL in text, 22P05 NUL in jsonb, 23514 check). So the SQLSTATE decides when there is one;
 * the Prisma code only when there is not.
 */
import { ApplicationFailure } from '@temporalio/common';
import { UnstorableInputError } from '../../platform/storable-input';

export const INVALID_DATA = 'InvalidData';

/** Prisma codes of requests that fail the same way however often they are sent. */
const DETERMINISTIC_PRISMA_CODES = new Set(['P2000', 'P2003', 'P2004', 'P2005', 'P2006', 'P2007', 'P2011', 'P2012', 'P2019', 'P2020', 'P2023']);

/** SQLSTATE class 22 (data exception) and class 23 (integrity constraint violation) except 23505 unique_violation. */
export function isDataSqlState(sqlState: string): boolean {
  if (sqlState === '23505') return false;
  return /^2[23][0-9A-Z]{3}$/.test(sqlState);
}

export interface InvalidDataDetails {
  /** The SQLSTATE when the database answered, else the Prisma code or `UNSTORABLE_INPUT`. */
  code: string;
  sqlState?: string;
  prismaCode?: string;
  modelName?: string;
  constraint?: unknown;
  /** Fields at fault, when the input was refused before reaching the database. */
  problems?: { field: string; message: string }[];
}

export interface InvalidDataClassification {
  message: string;
  details: InvalidDataDetails;
}

type Bag = Record<string, unknown>;
const isObject = (v: unknown): v is Bag => typeof v === 'object' && v !== null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The SQLSTATE behind an error, from the driver adapter's cause or a `pg` DatabaseError. */
function sqlStateOf(err: Bag): { sqlState?: string; message?: string; constraint?: unknown } {
  const meta = isObject(err.meta) ? err.meta : undefined;
  const adapterError = meta && isObject(meta.driverAdapterError) ? meta.driverAdapterError : err.name === 'DriverAdapterError' ? err : undefined;
  const cause = adapterError && isObject(adapterError.cause) ? adapterError.cause : undefined;
  if (cause) {
    const sqlState = str(cause.originalCode) ?? str(cause.code);
    if (sqlState) return { sqlState, message: str(cause.originalMessage) ?? str(cause.message), constraint: cause.constraint };
    return {};
  }
  // A `pg` DatabaseError reached without Prisma.
  if (err.name === 'error' || (err as { constructor?: { name?: string } }).constructor?.name === 'DatabaseError') {
    const code = str(err.code);
    if (code && /^[0-9A-Z]{5}$/.test(code)) return { sqlState: code, message: str(err.message), constraint: err.constraint };
  }
  return {};
}

/** Prisma's own message starts with the invocation and a code frame; its last line says what failed. */
function lastLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? message;
}

/**
 * Whether an error is a deterministic data error, and how to report it. Undefined for everything
 * a retry may cure (connections, pool and transaction timeouts, serialization failures, deadlocks,
 * unique violations of idempotent upserts racing each other, records not found yet) and for
 * Temporal failures, which already say whether they may be retried.
 */
export function classifyDataError(err: unknown): InvalidDataClassification | undefined {
  if (err instanceof UnstorableInputError) {
    return { message: err.message, details: { code: 'UNSTORABLE_INPUT', problems: err.problems.map(({ field, message }) => ({ field, message })) } };
  }
  if (!isObject(err) || err instanceof ApplicationFailure) return undefined;
  const name = str(err.name);
  if (name === 'PrismaClientValidationError') {
    return { message: `Invalid data: ${lastLine(String(err.message))}`, details: { code: 'PRISMA_VALIDATION' } };
  }
  const { sqlState, message, constraint } = sqlStateOf(err);
  const prismaCode = name === 'PrismaClientKnownRequestError' ? str(err.code) : undefined;
  const deterministic = sqlState !== undefined ? isDataSqlState(sqlState) : prismaCode !== undefined && DETERMINISTIC_PRISMA_CODES.has(prismaCode);
  if (!deterministic) return undefined;
  const meta = isObject(err.meta) ? err.meta : {};
  const text = message ?? lastLine(String(err.message));
  const details: InvalidDataDetails = { code: sqlState ?? prismaCode! };
  if (sqlState) details.sqlState = sqlState;
  if (prismaCode) details.prismaCode = prismaCode;
  if (str(meta.modelName)) details.modelName = str(meta.modelName);
  if (constraint !== undefined) details.constraint = constraint;
  return { message: `Invalid data${details.modelName ? ` for ${details.modelName}` : ''}: ${text} (${details.code})`, details };
}

/** The error an activity should fail with: a non-retryable InvalidData failure for data errors, the error itself otherwise. */
export function asActivityFailure(err: unknown): unknown {
  const invalid = classifyDataError(err);
  if (!invalid) return err;
  const failure = ApplicationFailure.create({ message: invalid.message, type: INVALID_DATA, nonRetryable: true, details: [invalid.details] });
  if (err instanceof Error) failure.stack = err.stack;
  return failure;
}

/**
 * Every activity of `activities`, failing data errors non-retryably (asActivityFailure). Applied
 * once where the worker's activities are built, so no activity has to remember it.
 */
export function failDataErrorsNonRetryably<T extends Record<string, unknown>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    if (typeof fn !== 'function') {
      wrapped[name] = fn;
      continue;
    }
    const activity = fn as (...args: unknown[]) => unknown;
    wrapped[name] = {
      [name](...args: unknown[]) {
        try {
          const result = activity(...args);
          return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(asActivityFailure(err))) : result;
        } catch (err) {
          throw asActivityFailure(err);
        }
      },
    }[name];
  }
  return wrapped as T;
}
