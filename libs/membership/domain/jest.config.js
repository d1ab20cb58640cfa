module.exports = {
  ...require('../../../jest.preset.js'),
  displayName: 'membership-domain',
  rootDir: __dirname,
};
