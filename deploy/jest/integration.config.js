/**
 * Integration tier: real Kafka, Redis and S3 started by deploy/local/stack.sh in globalSetup.
 * Files named *.integration-spec.ts; they share servers, so run them one at a time.
 */
module.exports = {
  ...require('./base.config.js'),
  displayName: 'integration',
  testMatch: ['<rootDir>/{libs,services}/**/*.integration-spec.ts'],
  globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
  testTimeout: 120000,
};
