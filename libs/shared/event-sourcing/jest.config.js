module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'event-sourcing',
  rootDir: __dirname,
};
