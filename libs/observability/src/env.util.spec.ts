import { Writable } from 'node:stream';

import { z } from 'zod';

import { EnvValidationError, parseEnv, refineRenamedEnv, renamedEnvWarnings } from './env.util';
import { ObservabilityModule } from './observability.module';

const RENAMED = [{ from: 'OLD_NAME', to: 'NEW_NAME' }] as const;
const Schema = z
  .object({ NEW_NAME: z.string().optional(), OLD_NAME: z.string().optional() })
  .superRefine(refineRenamedEnv(RENAMED));

describe('renamed variables', () => {
  it('accept the old name alone, and warn naming the replacement', () => {
    const env = parseEnv(Schema, { OLD_NAME: 'a' });
    expect(env).toEqual({ OLD_NAME: 'a' });
    expect(renamedEnvWarnings(env, RENAMED)).toEqual([
      'OLD_NAME is deprecated and will be removed in the next release: rename it to NEW_NAME (its value is used as NEW_NAME until then)',
    ]);
  });

  it('accept both names with one value, and warn to remove the old one', () => {
    const env = parseEnv(Schema, { OLD_NAME: 'a', NEW_NAME: 'a' });
    expect(renamedEnvWarnings(env, RENAMED)).toEqual([
      'OLD_NAME is deprecated and will be removed in the next release: NEW_NAME is set to the same value, remove OLD_NAME',
    ]);
  });

  it('reject both names with different values, naming both and echoing neither value', () => {
    let error: unknown;
    try {
      parseEnv(Schema, { OLD_NAME: 'secret-a', NEW_NAME: 'secret-b' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvValidationError);
    const message = (error as Error).message;
    expect(message).toContain(
      'OLD_NAME is the deprecated name of NEW_NAME and both are set, to different values: set only NEW_NAME',
    );
    expect(message).toContain('at OLD_NAME');
    expect(message).not.toMatch(/secret-/);
  });

  it('warn about nothing when only the new name (or neither) is set', () => {
    expect(renamedEnvWarnings(parseEnv(Schema, { NEW_NAME: 'a' }), RENAMED)).toEqual([]);
    expect(renamedEnvWarnings(parseEnv(Schema, {}), RENAMED)).toEqual([]);
  });
});

describe('ObservabilityModule.forRoot', () => {
  it('logs the configuration warnings once, at warn level, when the logger is created', () => {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    ObservabilityModule.forRoot({
      service: 'console',
      version: '0',
      destination,
      defaultMetrics: false,
      warnings: ['OLD_NAME is deprecated'],
    });
    const lines = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        service: 'console',
        component: 'config',
        msg: 'OLD_NAME is deprecated',
      }),
    ]);
  });
});
