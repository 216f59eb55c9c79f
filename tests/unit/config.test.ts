import { ConfigError, loadConfig } from '../../platform/config';
import { temporalConnectionOptions } from '../../platform/temporal';

describe('configuration from the environment', () => {
  test('defaults for a local machine', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/retail_ops',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'retail-ops',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: 1025,
      PORT: 3000,
    });
  });

  test.each([
    ['PORT', 'eighty', 'PORT'],
    ['PORT', '70000', 'PORT'],
    ['SMTP_PORT', '-1', 'SMTP_PORT'],
    ['DATABASE_URL', 'mysql://root@localhost/x', 'DATABASE_URL'],
    ['TEMPORAL_ADDRESS', 'localhost', 'TEMPORAL_ADDRESS'],
    ['TEMPORAL_TLS', 'maybe', 'TEMPORAL_TLS'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL'],
  ])('%s=%s stops start-up with a message naming it', (name, value, named) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${named}: .*\\(got "${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\)`));
  });

  test('every bad value is named at once', () => {
    try {
      loadConfig({ PORT: 'x', SMTP_PORT: 'y' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT: /);
      expect((err as Error).message).toMatch(/SMTP_PORT: /);
    }
  });

  test('Temporal Cloud with an API key or a cluster with mTLS needs settings only', () => {
    expect(temporalConnectionOptions(loadConfig({}))).toMatchObject({ address: '127.0.0.1:7233', tls: undefined, apiKey: undefined });
    const cloud = temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'k' }));
    expect(cloud).toMatchObject({ address: 'eu-west-1.aws.api.temporal.io:7233', apiKey: 'k' });
    expect(cloud.tls).toBeDefined();
    const tls = temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: 'true', TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }));
    expect(tls.tls).toMatchObject({ serverNameOverride: 'temporal.internal' });
  });
});
