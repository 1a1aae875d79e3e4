import { EnvSchema, loadSinkSlsConfig } from './env.schema';

const BASE = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SLS_PROJECT: 'my-project',
  SLS_LOGSTORE: 'insights',
  SLS_ACCESS_KEY_ID: 'LTAI5tExample',
  SLS_ACCESS_KEY_SECRET: 's3cr3t#with#hashes',
};

describe('sink-sls env', () => {
  it('derives the SLS endpoint, topic, user and password layout', () => {
    const config = loadSinkSlsConfig({ ...BASE, SLS_REGION: 'cn-hangzhou' }).sls;
    expect(config.brokers).toEqual(['my-project.cn-hangzhou.log.aliyuncs.com:10012']);
    expect(config.topic).toBe('insights.json');
    expect(config.project).toBe('my-project');
    expect(config.ca).toBeNull();
  });

  it('lets SLS_ENDPOINT override the endpoint', () => {
    const config = loadSinkSlsConfig({
      ...BASE,
      SLS_ENDPOINT: '127.0.0.1:19094, 127.0.0.2:19094',
    }).sls;
    expect(config.brokers).toEqual(['127.0.0.1:19094', '127.0.0.2:19094']);
  });

  it('names every bad variable at once and never echoes the secret', () => {
    const result = EnvSchema.safeParse({
      KAFKA_BROKERS: 'nope',
      SLS_PROJECT: 'Bad_Project',
      SLS_LOGSTORE: 'x',
      SLS_ACCESS_KEY_ID: 'a#b',
      SLS_ACCESS_KEY_SECRET: 'hunter2',
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.')).sort();
    expect(paths).toEqual(
      expect.arrayContaining([
        'KAFKA_BROKERS.0',
        'SLS_ACCESS_KEY_ID',
        'SLS_LOGSTORE',
        'SLS_PROJECT',
      ]),
    );
    expect(() =>
      loadSinkSlsConfig({ ...BASE, SLS_ACCESS_KEY_ID: 'a#b', SLS_REGION: 'cn-hangzhou' }),
    ).toThrow(/SLS_ACCESS_KEY_ID/);
    expect(() =>
      loadSinkSlsConfig({ ...BASE, SLS_ACCESS_KEY_ID: 'a#b', SLS_REGION: 'cn-hangzhou' }),
    ).not.toThrow(/s3cr3t/);
  });
});
