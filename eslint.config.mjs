import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const infrastructure = ['@nestjs/*', 'typeorm', 'pg', '@nats-io/*', '@eventstore/*', 'fastify'];

export default [
  { ignores: ['**/node_modules', '**/dist', '**/coverage', '.nx'] },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Ownership: a service reaches only its own code and the shared libraries.
            ...[
              'gateway',
              'identity',
              'membership',
              'resources',
              'secrets-vault',
              'keys',
              'audit',
            ].map((service) => ({
              sourceTag: `scope:${service}`,
              onlyDependOnLibsWithTags: [`scope:${service}`, 'scope:shared'],
            })),
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Kind: apps sit on top; no app imports another app.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:data-access',
                'type:util',
                'type:testing',
              ],
            },
            // Data-access specs use the test helpers; so the helpers must not depend on data-access
            // libraries themselves, or the project graph would have a cycle.
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:data-access',
                'type:util',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util'],
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util'],
              bannedExternalImports: infrastructure,
            },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util'],
              bannedExternalImports: infrastructure,
            },
          ],
        },
      ],
    },
  },
  {
    // Domain code is pure: decide and evolve functions with no framework, database or broker.
    files: ['apps/*/src/**/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: infrastructure, message: 'Domain code stays free of infrastructure.' },
            {
              group: ['@orgplane/event-store', '@orgplane/projections', '@orgplane/messaging'],
              message: 'Domain code stays free of infrastructure.',
            },
            {
              group: ['**/application/**', '**/infrastructure/**'],
              message: 'Domain code does not reach outward.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
