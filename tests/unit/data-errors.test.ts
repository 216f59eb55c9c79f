/**
 * The classifier against the error shapes Prisma 7 with @prisma/adapter-pg really throws. Each row
 * was observed against Postgres 16 with a throwaway script (model queries, upserts inside
 * $transaction([...]) and interactive transactions, raw queries) and is rebuilt here with the same
 * classes: the `code` and `meta.modelName` Prisma gave, and the DriverAdapterError cause the
 * adapter built from the driver's error (adapter-pg's convertDriverError).
 */
import { ApplicationFailure } from '@temporalio/common';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { Prisma } from '../../generated/prisma/client';
import { asActivityFailure, classifyDataError, failDataErrorsNonRetryably, INVALID_DATA, isDataSqlState } from '../../activities/shared/data-errors';
import { assertStorableInput, UnstorableInputError } from '../../platform/storable-input';

const clientVersion = '7.10.1';
const frame = 'Invalid `db.approvalDecision.create()` invocation in\n/work/main/activities/approvals.ts:130:9\n\n  127 ...\n';

function known(code: string, cause: Record<string, unknown> | undefined, modelName: string | undefined = 'ApprovalDecision', message = `\n${frame}`) {
  const meta: Record<string, unknown> = {};
  if (modelName) meta.modelName = modelName;
  if (cause) meta.driverAdapterError = new DriverAdapterError(cause as never);
  return new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion, meta });
}

const pgCause = (code: string, message: string, extra: Record<string, unknown> = {}) => ({
  originalCode: code,
  originalMessage: message,
  kind: 'postgres',
  code,
  severity: 'ERROR',
  message,
  detail: undefined,
  column: undefined,
  hint: undefined,
  ...extra,
});

type Row = [label: string, error: unknown, expected: { code: string; sqlState?: string; prismaCode?: string } | 'retryable'];

const rows: Row[] = [
  // (a) NUL in a text column: not mapped by the adapter, so Prisma says P2039 (P2010 when raw).
  [
    'NUL in text, model create/upsert/updateMany',
    known('P2039', pgCause('22021', 'invalid byte sequence for encoding "UTF8": 0x00')),
    { code: '22021', sqlState: '22021', prismaCode: 'P2039' },
  ],
  [
    'NUL in text, $executeRaw',
    known(
      'P2010',
      pgCause('22021', 'invalid byte sequence for encoding "UTF8": 0x00'),
      undefined,
      '\nInvalid `prisma.$executeRaw()` invocation:\n\n\nRaw query failed. Code: `22021`. Message: `invalid byte sequence for encoding "UTF8": 0x00`',
    ),
    { code: '22021', prismaCode: 'P2010' },
  ],
  // (b) NUL inside a jsonb value or key.
  [
    'NUL in jsonb',
    known('P2039', pgCause('22P05', 'unsupported Unicode escape sequence', { detail: '\\u0000 cannot be converted to text.' })),
    { code: '22P05', prismaCode: 'P2039' },
  ],
  [
    'lone surrogate in jsonb',
    known('P2007', {
      originalCode: '22P02',
      originalMessage: 'invalid input syntax for type json',
      kind: 'InvalidInputValue',
      message: 'invalid input syntax for type json',
    }),
    { code: '22P02', prismaCode: 'P2007' },
  ],
  // (c) too long for a varchar column.
  [
    'too long for varchar, model',
    known('P2000', { originalCode: '22001', originalMessage: 'value too long for type character varying(10)', kind: 'LengthMismatch', column: undefined }),
    { code: '22001', prismaCode: 'P2000' },
  ],
  [
    'too long for varchar, raw',
    known(
      'P2010',
      { originalCode: '22001', originalMessage: 'value too long for type character varying(5)', kind: 'LengthMismatch', column: undefined },
      undefined,
    ),
    { code: '22001', prismaCode: 'P2010' },
  ],
  [
    'integer out of range',
    known('P2020', {
      originalCode: '22003',
      originalMessage: 'value "1099511627776" is out of range for type integer',
      kind: 'ValueOutOfRange',
      cause: 'value "1099511627776" is out of range for type integer',
    }),
    { code: '22003', prismaCode: 'P2020' },
  ],
  // (d) constraints.
  [
    'check violation, model',
    known(
      'P2039',
      pgCause('23514', 'new row for relation "ApprovalDecision" violates check constraint "level_positive"', {
        detail: 'Failing row contains (D4, REQ1, 0, approve, a, r, ok, null, 2026-12-02 17:38:25.504).',
      }),
    ),
    { code: '23514', prismaCode: 'P2039' },
  ],
  [
    'check violation, raw',
    known('P2010', pgCause('23514', 'new row for relation "scratch_limits" violates check constraint "scratch_limits_n_check"'), undefined),
    { code: '23514', prismaCode: 'P2010' },
  ],
  [
    'foreign key violation (also inside $transaction([...]))',
    known('P2003', {
      originalCode: '23503',
      originalMessage: 'insert or update on table "ApprovalDecision" violates foreign key constraint "ApprovalDecision_approvalRequestId_fkey"',
      kind: 'ForeignKeyConstraintViolation',
      constraint: { index: 'ApprovalDecision_approvalRequestId_fkey' },
    }),
    { code: '23503', prismaCode: 'P2003' },
  ],
  [
    'not-null violation, model',
    known('P2011', {
      originalCode: '23502',
      originalMessage: 'null value in column "comment" of relation "ApprovalDecision" violates not-null constraint',
      kind: 'NullConstraintViolation',
      constraint: undefined,
    }),
    { code: '23502', prismaCode: 'P2011' },
  ],
  [
    'not-null violation, raw',
    known(
      'P2010',
      {
        originalCode: '23502',
        originalMessage: 'null value in column "id" of relation "scratch_limits" violates not-null constraint',
        kind: 'NullConstraintViolation',
        constraint: undefined,
      },
      undefined,
    ),
    { code: '23502', prismaCode: 'P2010' },
  ],
  // A deterministic Prisma code without a database answer behind it.
  ['P2023 inconsistent column data, no SQLSTATE', known('P2023', undefined), { code: 'P2023', prismaCode: 'P2023' }],
  [
    'client-side validation (an invalid Date, a missing field)',
    new Prisma.PrismaClientValidationError(`\n${frame}\nInvalid value for argument \`decidedAt\`: Provided Date object is invalid. Expected Date.`, {
      clientVersion,
    }),
    { code: 'PRISMA_VALIDATION' },
  ],

  // Retried: a retry may succeed.
  [
    'unique violation of an idempotent upsert racing another (P2002)',
    known('P2002', {
      originalCode: '23505',
      originalMessage: 'duplicate key value violates unique constraint "ApprovalDecision_pkey"',
      kind: 'UniqueConstraintViolation',
      constraint: { index: 'ApprovalDecision_pkey' },
      table: 'ApprovalDecision',
    }),
    'retryable',
  ],
  [
    'unique violation, raw',
    known(
      'P2010',
      {
        originalCode: '23505',
        originalMessage: 'duplicate key value violates unique constraint "scratch_limits_pkey"',
        kind: 'UniqueConstraintViolation',
        constraint: { index: 'scratch_limits_pkey' },
        table: 'scratch_limits',
      },
      undefined,
    ),
    'retryable',
  ],
  [
    'serialization failure',
    known(
      'P2010',
      { originalCode: '40001', originalMessage: 'could not serialize access due to concurrent update', kind: 'TransactionWriteConflict' },
      undefined,
    ),
    'retryable',
  ],
  ['deadlock', known('P2034', { originalCode: '40P01', originalMessage: 'deadlock detected', kind: 'TransactionWriteConflict' }), 'retryable'],
  ['connection refused', known('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5999 }, 'ApprovalRequest'), 'retryable'],
  [
    'database does not exist',
    known('P1003', { originalCode: '3D000', originalMessage: 'database "x" does not exist', kind: 'DatabaseDoesNotExist', db: 'x' }, 'ApprovalRequest'),
    'retryable',
  ],
  ['statement cancelled', known('P2010', pgCause('57014', 'canceling statement due to user request'), undefined), 'retryable'],
  [
    'connection terminated by the server',
    known('P2010', pgCause('57P01', 'terminating connection due to administrator command', { severity: 'FATAL' }), undefined),
    'retryable',
  ],
  [
    'interactive transaction expired',
    known('P2028', undefined, undefined, 'Transaction API error: A commit cannot be executed on an expired transaction.'),
    'retryable',
  ],
  ['record not found (yet)', known('P2025', undefined, 'ApprovalRequest'), 'retryable'],
  ['a socket error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'retryable'],
  ['an SMTP error', Object.assign(new Error('Connection closed'), { code: 'ECONNECTION', command: 'DATA' }), 'retryable'],
  ['any other error', new Error('boom'), 'retryable'],
  ['not an error', 'a string', 'retryable'],
];

describe('classifyDataError: the real error shapes', () => {
  test.each(rows)('%s', (_label, error, expected) => {
    const c = classifyDataError(error);
    if (expected === 'retryable') {
      expect(c).toBeUndefined();
      expect(asActivityFailure(error)).toBe(error);
      return;
    }
    expect(c).toBeDefined();
    expect(c!.details).toMatchObject(expected);
    // Short and free of Prisma's code frame.
    expect(c!.message).not.toContain('invocation');
    expect(c!.message).toMatch(/^Invalid data/);
    const failure = asActivityFailure(error) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(INVALID_DATA);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[0]).toMatchObject(expected);
  });

  test('the message says what the database said, the code, and the model', () => {
    const c = classifyDataError(rows[0]![1]);
    expect(c!.message).toBe('Invalid data for ApprovalDecision: invalid byte sequence for encoding "UTF8": 0x00 (22021)');
  });

  test('a check violation does not carry the failing row (user data) into the failure', () => {
    const failure = asActivityFailure(rows.find((r) => r[0] === 'check violation, model')![1]) as ApplicationFailure;
    expect(JSON.stringify(failure.details)).not.toContain('Failing row');
    expect(failure.message).not.toContain('Failing row');
  });

  test('a pg DatabaseError reached without Prisma is classified by its SQLSTATE', () => {
    const dbError = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { name: 'error', code: '22021', severity: 'ERROR' });
    expect(classifyDataError(dbError)?.details).toMatchObject({ code: '22021', sqlState: '22021' });
    const unique = Object.assign(new Error('duplicate key'), { name: 'error', code: '23505' });
    expect(classifyDataError(unique)).toBeUndefined();
  });

  test('Temporal failures pass through untouched: they already say whether to retry', () => {
    const own = ApplicationFailure.nonRetryable('Store S999 does not exist.', 'StoreNotFound');
    expect(classifyDataError(own)).toBeUndefined();
    expect(asActivityFailure(own)).toBe(own);
    const retryable = ApplicationFailure.retryable('try later', 'Busy');
    expect(asActivityFailure(retryable)).toBe(retryable);
  });

  test('a start input refused by the starter is InvalidData naming the fields', () => {
    let err: unknown;
    try {
      assertStorableInput({ modelName: 'demand-forecast', reason: 'drift\u0000' }, 'input');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnstorableInputError);
    expect((err as UnstorableInputError).status).toBe(400);
    const failure = asActivityFailure(err) as ApplicationFailure;
    expect(failure.type).toBe(INVALID_DATA);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('Input refused: input.reason contains a NUL character (U+0000) at position 5, which cannot be stored or sent.');
    expect(failure.details?.[0]).toEqual({
      code: 'UNSTORABLE_INPUT',
      problems: [{ field: 'input.reason', message: 'contains a NUL character (U+0000) at position 5, which cannot be stored or sent' }],
    });
    expect(() => assertStorableInput({ modelName: 'demand-forecast', reason: 'Weekly retraining' }, 'input')).not.toThrow();
  });
});

describe('isDataSqlState', () => {
  test.each([
    ['22021', true],
    ['22P05', true],
    ['22001', true],
    ['22003', true],
    ['22P02', true],
    ['22007', true],
    ['22012', true],
    ['23502', true],
    ['23503', true],
    ['23514', true],
    ['23P01', true],
    ['23001', true],
    ['23505', false],
    ['40001', false],
    ['40P01', false],
    ['08006', false],
    ['57014', false],
    ['57P01', false],
    ['53300', false],
    ['42P01', false],
    ['EAUTH', false],
    ['', false],
  ])('%s → %s', (code, expected) => {
    expect(isDataSqlState(code)).toBe(expected);
  });
});

describe('failDataErrorsNonRetryably: one wrapper over every activity', () => {
  const nul = rows[0]![1];
  const activities = failDataErrorsNonRetryably({
    async recordApprovalDecision(x: number) {
      if (x < 0) throw nul;
      if (x === 0) throw new Error('connection reset');
      return x * 2;
    },
    syncValue: (x: string) => `${x}!`,
    notAFunction: 42,
  });

  test('results pass through, synchronous activities stay synchronous, other members are kept', async () => {
    await expect(activities.recordApprovalDecision(21)).resolves.toBe(42);
    expect(activities.syncValue('ok')).toBe('ok!');
    expect(activities.notAFunction).toBe(42);
    expect(activities.recordApprovalDecision.name).toBe('recordApprovalDecision');
  });

  test('a data error becomes a non-retryable InvalidData failure; anything else is thrown as it was', async () => {
    await expect(activities.recordApprovalDecision(-1)).rejects.toMatchObject({ type: INVALID_DATA, nonRetryable: true });
    await expect(activities.recordApprovalDecision(0)).rejects.toThrow('connection reset');
    await expect(activities.recordApprovalDecision(0)).rejects.not.toBeInstanceOf(ApplicationFailure);
  });
});
