import { MockActivityEnvironment } from '@temporalio/testing';
import { withKeepAliveHeartbeat } from '../../activities/shared/activity-context';

describe('withKeepAliveHeartbeat', () => {
  it('heartbeats at once and then on its interval while the work runs, and stops when it ends', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => (beats += 1));
    const result = await env.run(() => withKeepAliveHeartbeat(() => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 130)), 20));
    expect(result).toBe('done');
    expect(beats).toBeGreaterThanOrEqual(4);
    const after = beats;
    await new Promise((r) => setTimeout(r, 80));
    expect(beats).toBe(after);
  });

  it('passes a failure through and stops heartbeating', async () => {
    const env = new MockActivityEnvironment();
    let beats = 0;
    env.on('heartbeat', () => (beats += 1));
    await expect(env.run(() => withKeepAliveHeartbeat(() => Promise.reject(new Error('query failed')), 10))).rejects.toThrow('query failed');
    const after = beats;
    await new Promise((r) => setTimeout(r, 40));
    expect(beats).toBe(after);
  });

  it('outside an activity it just runs the work', async () => {
    await expect(withKeepAliveHeartbeat(async () => 42)).resolves.toBe(42);
  });
});
