/**
 * Jest globalSetup of the integration tier: starts the real servers with deploy/local/stack.sh
 * (idempotent: a running stack is reused) and exports their addresses through process.env.
 * Components come from TRAIL_INSIGHT_STACK (default: every component the integration tests use).
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  const root = path.resolve(__dirname, '../../..');
  const components = (
    process.env.TRAIL_INSIGHT_STACK ?? 'kafka redis s3 redis-cluster kafka-sasl chromium'
  )
    .split(/\s+/)
    .filter(Boolean);
  const output = execFileSync(
    'bash',
    [path.join(root, 'deploy/local/stack.sh'), 'up', ...components],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 15 * 60 * 1000,
    },
  );
  for (const line of output.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) {
      process.env[match[1]] = match[2];
    }
  }
};
