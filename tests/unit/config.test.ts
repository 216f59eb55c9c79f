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

describe('unsubscribe link settings', () => {
  test("no secret by default: the installation's own is used outside production", () => {
    const c = loadConfig({});
    expect(c.UNSUBSCRIBE_SECRETS).toBeUndefined();
    expect(c.UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS).toBe(365);
    expect(loadConfig({ NODE_ENV: 'test' }).UNSUBSCRIBE_SECRETS).toBeUndefined();
  });

  test('comma-separated secrets, newest first, blanks and spaces dropped', () => {
    expect(loadConfig({ UNSUBSCRIBE_SECRETS: ' new-secret-0123456789 , ,old-secret-0123456789' }).UNSUBSCRIBE_SECRETS).toEqual([
      'new-secret-0123456789',
      'old-secret-0123456789',
    ]);
  });

  test.each<[string, Record<string, string>, RegExp]>([
    ['production without a secret', { NODE_ENV: 'production' }, /UNSUBSCRIBE_SECRETS: required in production.*\(not set\)/],
    ['production with an empty secret', { NODE_ENV: 'production', UNSUBSCRIBE_SECRETS: '' }, /UNSUBSCRIBE_SECRETS: required in production.*\(not set\)/],
    [
      'a secret shorter than 16 characters',
      { UNSUBSCRIBE_SECRETS: 'long-enough-secret-000,short' },
      /UNSUBSCRIBE_SECRETS\.1: each secret needs at least 16 characters/,
    ],
    ['only commas', { UNSUBSCRIBE_SECRETS: ' , ' }, /UNSUBSCRIBE_SECRETS: name at least one secret/],
    ['a lifetime under 30 days', { UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS: '7' }, /UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS: .*\(got "7"\)/],
    ['a lifetime that is not a whole number of days', { UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS: '90.5' }, /UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS/],
  ])('%s stops start-up with a message naming it', (_name, env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('production with its own secrets and lifetime starts', () => {
    const c = loadConfig({ NODE_ENV: 'production', UNSUBSCRIBE_SECRETS: 'a-production-secret-0123456789', UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS: '90' });
    expect(c.UNSUBSCRIBE_SECRETS).toEqual(['a-production-secret-0123456789']);
    expect(c.UNSUBSCRIBE_TOKEN_MAX_AGE_DAYS).toBe(90);
  });
});
