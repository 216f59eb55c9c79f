import { Writable } from 'node:stream';
import pino from 'pino';
import { routeLabel, workerMetrics } from '../../platform/metrics';
import { pinoSdkLogger } from '../../platform/worker-runtime';

describe('routeLabel', () => {
  test.each([
    [{ template: '/api/v1/price-changes/:id/decisions', status: 200 }, '/api/v1/price-changes/:id/decisions'],
    [{ template: '/api/v1/price-changes/', mountPath: '/api/v1/price-changes', status: 201 }, '/api/v1/price-changes'],
    [{ template: '/', status: 200 }, '/'],
    [{ template: '', status: 200 }, '/'],
    [{ mountPath: '/docs', status: 200 }, '/docs/*'],
    [{ mountPath: '/api/v1', status: 401 }, '/api/v1/*'],
    [{ mountPath: '/api/v1', status: 404 }, 'unmatched'],
    [{ status: 404 }, 'unmatched'],
    [{ status: 400 }, 'unmatched'],
  ])('%j -> %s', (input, label) => {
    expect(routeLabel(input)).toBe(label);
  });
});

test('worker metrics outside an activity do nothing and do not throw', () => {
  expect(() => {
    workerMetrics.emails('campaign', 'sent', 3);
    workerMetrics.purchaseOrderSent('SUP-1');
    workerMetrics.pricePush('pos', 'applied');
    workerMetrics.campaignSendRate('campaign-x', 12.5);
    workerMetrics.trainingSeries(10, 2);
  }).not.toThrow();
});

describe('pinoSdkLogger', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    return { lines, log: pino({ level: 'debug' }, stream) };
  }

  test("an activity's log line is one JSON object with its workflowId, run ID, activityType and attempt, without its task token", () => {
    const { lines, log } = capture();
    const sdk = pinoSdkLogger(log);
    sdk.info('Activity completed', {
      sdkComponent: 'activity',
      workflowId: 'price-change-X',
      workflowRunId: 'run-1',
      activityType: 'pushChannelPrice',
      attempt: 2,
      taskToken: 'c2VjcmV0',
      [Symbol.for('log_timestamp')]: 123n,
    });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'Activity completed',
        sdkComponent: 'activity',
        workflowId: 'price-change-X',
        workflowRunId: 'run-1',
        activityType: 'pushChannelPrice',
        attempt: 2,
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('taskToken');
  });

  test('levels map to pino levels (below the logger level dropped); an error goes out as err with its stack', () => {
    const { lines, log } = capture();
    const sdk = pinoSdkLogger(log);
    sdk.trace('too fine');
    sdk.debug('fine');
    sdk.log('WARN', 'careful', { workflowId: 'w' });
    sdk.error('broke', { error: new Error('boom') });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [20, 'fine'],
      [40, 'careful'],
      [50, 'broke'],
    ]);
    expect(lines[2]!.err).toMatchObject({ message: 'boom', stack: expect.stringContaining('Error: boom') });
  });
});
