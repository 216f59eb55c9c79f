import { createSmtpSendBudget } from '../../activities/campaign/smtp-budget';
import { smtpFailure, type SmtpFailure } from '../../activities/campaign/sends';
import { chunkSize, paceFor, takeSlots, type Pace } from '../../domain/send-pacing';

const at = (intervalMs: number, nextAt: number): Pace => ({ intervalMs, nextAt });

describe('send pacing', () => {
  test.each([
    [0, null],
    [Number.POSITIVE_INFINITY, null],
    [Number.NaN, null],
    [-5, null],
    [undefined, null],
    [4, 250],
    [1000, 1],
  ])('paceFor(%p): interval %p ms', (rate, interval) => {
    const p = paceFor(rate);
    expect(p === null ? null : p.intervalMs).toBe(interval);
  });

  test.each<[string, (Pace | null)[], number, number, number[], (number | null)[]]>([
    ['no limit: every slot now', [null], 1000, 3, [1000, 1000, 1000], [null]],
    ['a fresh pace: now, then one interval apart', [paceFor(10)], 1000, 3, [1000, 1100, 1200], [1300]],
    ['an idle pace banks nothing: no burst after a quiet spell', [at(100, 400)], 1000, 2, [1000, 1100], [1200]],
    ['a busy pace: after what it already gave out', [at(100, 1500)], 1000, 2, [1500, 1600], [1700]],
    ['two paces: the slower spaces the sends, each moves on from the slot', [at(100, 0), at(250, 0)], 1000, 3, [1000, 1250, 1500], [1600, 1750]],
    ['two paces: the busier decides the first slot', [at(100, 2000), at(250, 0)], 1000, 2, [2000, 2250], [2350, 2500]],
    ['no sends: nothing moves', [at(100, 0)], 1000, 0, [], [0]],
  ])('%s', (_, paces, now, n, slots, nextAts) => {
    const r = takeSlots(paces, now, n);
    expect(r.slots).toEqual(slots);
    expect(r.paces.map((p) => (p ? p.nextAt : null))).toEqual(nextAts);
  });

  test.each<[(number | undefined)[], number]>([
    [[], 100],
    [[undefined, 0], 100],
    [[2], 1],
    [[4], 1],
    [[20], 5],
    [[20, 500], 5],
    [[1000, 500], 100],
    [[10_000], 100],
  ])('chunkSize(%p, 250 ms, max 100) = %p', (rates, size) => {
    expect(chunkSize(rates, 250, 100)).toBe(size);
  });
});

describe('the worker SMTP budget, shared by campaigns', () => {
  test('two campaigns taking slots from one budget turn about at its rate, first come first served', () => {
    const budget = createSmtpSendBudget(10);
    const taken: [string, number][] = [];
    // Both campaigns have emails ready at 0; a and b alternate as their emails become ready.
    for (const c of ['a', 'b', 'a', 'b', 'a']) taken.push([c, budget.takeSlot(0)]);
    expect(taken).toEqual([
      ['a', 0],
      ['b', 100],
      ['a', 200],
      ['b', 300],
      ['a', 400],
    ]);
    // Idle until 2000: the next email goes at once, the budget has banked nothing.
    expect([budget.takeSlot(2000), budget.takeSlot(2000)]).toEqual([2000, 2100]);
  });

  test('a slow campaign does not hold back a fast one: each takes a slot only when its own pace lets it go', () => {
    const budget = createSmtpSendBudget(100);
    // Campaign a (1 a second) has an email ready at 0 and 1000; campaign b (no cap of its own) has 5 ready at 0.
    const slow = [budget.takeSlot(0)];
    const fast = Array.from({ length: 5 }, () => budget.takeSlot(0));
    slow.push(budget.takeSlot(1000));
    expect(slow).toEqual([0, 1000]);
    expect(fast).toEqual([10, 20, 30, 40, 50]);
  });

  test('no budget (0): every email may go at once', () => {
    const budget = createSmtpSendBudget(0);
    expect(budget.ratePerSecond).toBe(0);
    expect([budget.takeSlot(5), budget.takeSlot(5)]).toEqual([5, 5]);
  });
});

describe('SMTP failures, with one connection per message or pooled', () => {
  // The shapes nodemailer 10 reports (platform/mailer.ts), pooled unless said otherwise.
  const cases: [string, object, SmtpFailure][] = [
    ['550 to RCPT TO (a hard bounce)', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }, 'rejected'],
    ['554 to DATA', { code: 'EMESSAGE', responseCode: 554, command: 'DATA' }, 'rejected'],
    ['451 to DATA', { code: 'EMESSAGE', responseCode: 451, command: 'DATA' }, 'not_taken'],
    ['421 greeting (server refusing service)', { code: 'EPROTOCOL', responseCode: 421, command: 'CONN' }, 'not_taken'],
    ['554 greeting: the server, not the recipient', { code: 'EPROTOCOL', responseCode: 554, command: 'CONN' }, 'not_taken'],
    ['503 bad sequence of commands', { code: 'EENVELOPE', responseCode: 503, command: 'MAIL FROM' }, 'not_taken'],
    ['connection refused', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN', message: 'connect ECONNREFUSED 127.0.0.1:25' }, 'not_taken'],
    ['host unknown', { code: 'EDNS', originalCode: 'ENOTFOUND' }, 'not_taken'],
    ['TLS failed', { code: 'ETLS' }, 'not_taken'],
    ['pool closed with the message queued', { code: 'ECONNECTION', message: 'Connection pool was closed' }, 'not_taken'],
    [
      "pool gave up: the message's connection closed before it was sent, each time",
      { code: 'ECONNECTION', message: 'Reached maximum number of retries after connection was closed' },
      'not_taken',
    ],
    ['credentials refused', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }, 'auth'],
    ['credentials missing', { code: 'ENOAUTH' }, 'auth'],
    ['connection closed mid-transaction', { code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }, 'unknown'],
    ['socket reset mid-transaction', { code: 'ESOCKET', originalCode: 'ECONNRESET', message: 'read ECONNRESET' }, 'unknown'],
    ['timed out waiting for the reply', { code: 'ETIMEDOUT', command: 'CONN', message: 'Timeout' }, 'unknown'],
    ['not an SMTP error at all', new Error('boom'), 'unknown'],
  ];
  test.each(cases)('%s', (_, err, kind) => {
    expect(smtpFailure(err instanceof Error ? err : Object.assign(new Error(String((err as { message?: string }).message ?? 'smtp')), err))).toBe(kind);
  });
});
