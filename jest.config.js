// Two projects: fast unit specs beside the code, and e2e specs against real PostgreSQL/PostGIS, Redis and SMTP.
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
}];
const common = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^@app/(.*)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
  setupFiles: ['reflect-metadata'],
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFiles: ['reflect-metadata', '<rootDir>/test/env-setup.ts'],
      slowTestThreshold: 30,
    },
  ],
  testTimeout: 60000,
};
