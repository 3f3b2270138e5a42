/** Unit specs live beside the code (src/**\/*.spec.ts); end-to-end specs in test/ (*.e2e-spec.ts). */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.spec.json' }];
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
};
module.exports = {
  // Per-project testTimeout is ignored by Jest; this one applies to every spec.
  testTimeout: 60000,
  // Prints the logs of the processes a failed real-process spec started (see the reporter).
  reporters: ['default', '<rootDir>/test/reliability/support/failure-logs-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Needs the client generated from the built document first: npm run openapi:check runs it.
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/openapi-client/'],
    },
    // The generated client's e2e spec (npm run openapi:check, after the build).
    { ...common, displayName: 'openapi-client', rootDir: '.', testMatch: ['<rootDir>/test/openapi-client/*.e2e-spec.ts'] },
    // Stops the database server: run alone (npm run test:outage), never beside other specs.
    { ...common, displayName: 'outage', rootDir: '.', testMatch: ['<rootDir>/test/outage/*.outage-spec.ts'] },
    // Real processes on loopback (npm run test:reliability): builds the app first, runs in band.
    {
      ...common,
      displayName: 'reliability',
      rootDir: '.',
      testMatch: ['<rootDir>/test/reliability/*.reliability-spec.ts'],
      globalSetup: '<rootDir>/test/reliability/support/global-setup.js',
      globalTeardown: '<rootDir>/test/reliability/support/global-teardown.js',
    },
    // Money-integrity scenarios (npm run test:integrity): real processes like reliability, run in band.
    {
      ...common,
      displayName: 'integrity',
      rootDir: '.',
      testMatch: ['<rootDir>/test/integrity/*.integrity-spec.ts'],
      globalSetup: '<rootDir>/test/reliability/support/global-setup.js',
      globalTeardown: '<rootDir>/test/reliability/support/global-teardown.js',
    },
    // The admin console in Debian's Chromium (npm run test:console): builds the app first, runs in band.
    {
      ...common,
      displayName: 'console',
      rootDir: '.',
      testMatch: ['<rootDir>/test/console/*.console-spec.ts'],
      globalSetup: '<rootDir>/test/console/support/global-setup.js',
    },
    // The attack suite (npm run test:security): real processes like reliability, run in band.
    {
      ...common,
      displayName: 'security',
      rootDir: '.',
      testMatch: ['<rootDir>/test/security/*.security-spec.ts'],
      globalSetup: '<rootDir>/test/reliability/support/global-setup.js',
      globalTeardown: '<rootDir>/test/reliability/support/global-teardown.js',
    },
  ],
};
