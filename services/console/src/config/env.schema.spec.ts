import { EnvValidationError } from '@trail-insight/observability';

import { EnvSchema, loadConsoleConfig } from './env.schema';

describe('console env', () => {
  it('maps a single Redis URL and the key prefixes', () => {
    const config = loadConsoleConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: 'prod:',
    });
    expect(config.redis).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(config.store).toEqual({
      statePrefix: 'prod:',
      insightPrefix: 'ti:',
      provisionalCacheMs: 2000,
    });
    expect(config.http).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(config.observability.warnings).toEqual([]);
  });

  it('reads the detector keys under ti: by default', () => {
    const config = loadConsoleConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(config.store.statePrefix).toBe('ti:');
    expect(config.observability.warnings).toEqual([]);
  });

  describe('STATE_PREFIX, the deprecated name of REDIS_PREFIX', () => {
    it('is used when REDIS_PREFIX is unset, with a boot warning naming REDIS_PREFIX', () => {
      const config = loadConsoleConfig({
        REDIS_URL: 'redis://127.0.0.1:6379',
        STATE_PREFIX: 'legacy:',
      });
      expect(config.store.statePrefix).toBe('legacy:');
      expect(config.observability.warnings).toEqual([
        'STATE_PREFIX is deprecated and will be removed in the next release: rename it to REDIS_PREFIX (its value is used as REDIS_PREFIX until then)',
      ]);
    });

    it('may repeat REDIS_PREFIX (warned: remove it)', () => {
      const config = loadConsoleConfig({
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_PREFIX: 'prod:',
        STATE_PREFIX: 'prod:',
      });
      expect(config.store.statePrefix).toBe('prod:');
      expect(config.observability.warnings).toEqual([
        expect.stringMatching(
          /^STATE_PREFIX is deprecated .*REDIS_PREFIX is set to the same value, remove STATE_PREFIX$/,
        ),
      ]);
    });

    it('fails validation, naming both variables, when it differs from REDIS_PREFIX', () => {
      const source = {
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_PREFIX: 'prod:',
        STATE_PREFIX: 'staging:',
      };
      const result = EnvSchema.safeParse(source);
      expect(result.success).toBe(false);
      expect(result.error!.issues).toEqual([
        expect.objectContaining({
          path: ['STATE_PREFIX'],
          message:
            'STATE_PREFIX is the deprecated name of REDIS_PREFIX and both are set, to different values: set only REDIS_PREFIX',
        }),
      ]);
      expect(() => loadConsoleConfig(source)).toThrow(EnvValidationError);
      expect(() => loadConsoleConfig(source)).toThrow(/STATE_PREFIX.*REDIS_PREFIX/);
    });

    it('is validated like REDIS_PREFIX', () => {
      const result = EnvSchema.safeParse({ REDIS_URL: 'redis://x:1', STATE_PREFIX: 'a{b}' });
      expect(result.error?.issues.map((issue) => issue.path[0])).toEqual(['STATE_PREFIX']);
    });
  });

  it('maps Redis Cluster seed nodes', () => {
    const config = loadConsoleConfig({
      REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7001',
      REDIS_PASSWORD: 'pw',
    });
    expect(config.redis).toEqual({
      mode: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      password: 'pw',
    });
  });

  it('names every bad variable', () => {
    const result = EnvSchema.safeParse({
      REDIS_URL: 'http://x',
      HTTP_PORT: '99999',
      REDIS_PREFIX: '{x}',
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'HTTP_PORT',
      'REDIS_PREFIX',
      'REDIS_URL',
    ]);
    expect(() => loadConsoleConfig({})).toThrow(/REDIS_URL/);
  });
});
