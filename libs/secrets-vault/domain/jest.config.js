module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'secrets-vault-domain',
  rootDir: __dirname,
};
