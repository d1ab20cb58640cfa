module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'event-store',
  rootDir: __dirname,
  // The EventStoreDB contract spec needs a server; without EVENTSTORE_URL it is not collected at
  // all, so a run without one cannot report it as passed. The esdb unit specs still run.
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(process.env.EVENTSTORE_URL ? [] : ['/esdb/.*\\.int\\.spec\\.ts$']),
  ],
};
