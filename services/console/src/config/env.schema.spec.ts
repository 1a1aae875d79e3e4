import { EnvSchema, loadConsoleConfig } from './env.schema';

describe('console env', () => {
  it('maps a single Redis URL and the key prefixes', () => {
    const config = loadConsoleConfig({
      REDIS_URL: 'redis://127.0.0.1:6379',
      STATE_PREFIX: 'prod:',
    });
    expect(config.redis).toEqual({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(config.store).toEqual({
      statePrefix: 'prod:',
      insightPrefix: 'ti:',
      provisionalCacheMs: 2000,
    });
    expect(config.http).toEqual({ port: 8080, host: '0.0.0.0' });
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
      STATE_PREFIX: '{x}',
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path[0]).sort()).toEqual([
      'HTTP_PORT',
      'REDIS_URL',
      'STATE_PREFIX',
    ]);
    expect(() => loadConsoleConfig({})).toThrow(/REDIS_URL/);
  });
});
