/** Unit tier: pure, fast, no servers. Files named *.spec.ts beside the code. */
module.exports = {
  ...require('./base.config.js'),
  displayName: 'unit',
  testMatch: ['<rootDir>/{libs,services}/**/*.spec.ts'],
};
