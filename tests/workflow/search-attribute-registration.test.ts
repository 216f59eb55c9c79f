/**
 * StoreIds reaches every dev server: a fresh one is started with it, and one started by an older
 * version of the project (its attributes fixed when its database was created) gets it registered
 * at the next start, as `npm start` and the test setup do with ensureSearchAttributes.
 */
import type { ChildProcess } from 'node:child_process';
import {
  devServerArgs,
  ensureSearchAttributes,
  listCustomSearchAttributes,
  readSearchAttributes,
  requireTemporalBinary,
  startDevServer,
  stopProcess,
  waitForTemporal,
} from '../../scripts/temporal-dev';
import { freePort } from '../../scripts/kit/infra';

let server: ChildProcess | undefined;

afterAll(async () => {
  if (server) await stopProcess(server);
});

test('the project registers StoreIds as a keyword list', () => {
  expect(readSearchAttributes()).toContainEqual({ name: 'StoreIds', type: 'KeywordList' });
  const args = devServerArgs({ ip: '127.0.0.1', port: 7233, searchAttributes: readSearchAttributes() });
  expect(args.join(' ')).toContain('--search-attribute StoreIds=KeywordList');
});

test('a dev server started without StoreIds gets it at the next start, once', async () => {
  const bin = requireTemporalBinary();
  const address = `127.0.0.1:${await freePort()}`;
  const older = readSearchAttributes().filter((a) => a.name !== 'StoreIds');
  server = startDevServer({ bin, ip: '127.0.0.1', port: Number(address.split(':')[1]), headless: true, searchAttributes: older, logLevel: 'error' });
  await waitForTemporal(bin, address, { timeoutMs: 60_000, child: server });
  expect((await listCustomSearchAttributes(bin, address, 'default')).has('StoreIds')).toBe(false);

  expect(await ensureSearchAttributes(bin, address, 'default', readSearchAttributes())).toEqual(['StoreIds']);
  expect((await listCustomSearchAttributes(bin, address, 'default')).get('StoreIds')).toBe('KeywordList');
  expect(await ensureSearchAttributes(bin, address, 'default', readSearchAttributes())).toEqual([]);
});
