module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'keys-domain',
  rootDir: __dirname,
};
