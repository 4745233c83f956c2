/** End-to-end tests: a real Nx workspace, real nx, cargo and Docker engine. */
module.exports = {
  displayName: 'e2e',
  testEnvironment: 'node',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.e2e.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/../packages/rust-docker/tsconfig.spec.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The e2e suites share one Docker engine and 2 cores: `npm test` runs them in band.
  setupFilesAfterEnv: ['<rootDir>/helpers/setup.ts'],
};
