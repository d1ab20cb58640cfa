module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'secrets-vault',
  rootDir: __dirname,
};
