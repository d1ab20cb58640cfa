// Shared Jest settings. Jest cannot require ESM-only packages (NestJS 12, @nats-io/*) on
// Node 20, so @swc/jest compiles them to CommonJS along with our TypeScript.
const esmPackages = [
  '@nestjs',
  '@nats-io',
  'file-type',
  'load-esm',
  'uid',
  'strtok3',
  'token-types',
  'peek-readable',
  '@tokenizer',
];

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testMatch: ['**/?(*.)+(spec).ts'],
  globalSetup: `${__dirname}/tools/jest/global-setup.ts`,
  moduleNameMapper: {
    '^@orgplane/(contracts|event-sourcing|event-store|messaging|projections|testing|util)$': `${__dirname}/libs/shared/$1/src/index.ts`,
    '^@orgplane/([a-z-]+)-domain$': `${__dirname}/libs/$1/domain/src/index.ts`,
  },
};
