import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';

/** A variable exported by the integration globalSetup (e.g. KAFKA_BROKERS); fails clearly if unset. */
export function requireTestEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(
      `${name} is not set: run integration tests through the integration Jest project ` +
        `(globalSetup starts deploy/local/stack.sh), e.g. TRAIL_INSIGHT_STACK="kafka redis"`,
    );
  }
  return value;
}

/** `test-<prefix>-<random>`: per-test topic, group and key-prefix names (STYLE rule 16). */
export function uniqueName(prefix: string): string {
  return `test-${prefix}-${randomUUID().slice(0, 12)}`;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
