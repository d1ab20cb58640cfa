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
            ...['gateway', 'identity', 'membership', 'resources', 'secrets-vault', 'keys'].map(
              (service) => ({
                sourceTag: `scope:${service}`,
                onlyDependOnLibsWithTags: [`scope:${service}`, 'scope:shared'],
              }),
            ),
            // The audit service replays every service's history with that service's own evolve
            // functions, so it reaches the domain libraries of every scope (and nothing else of theirs).
            {
              sourceTag: 'scope:audit',
              onlyDependOnLibsWithTags: ['scope:audit', 'scope:shared', 'type:domain'],
            },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            // Kind: apps sit on top; no app imports another app.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: [
                'type:contracts',
                'type:data-access',
                'type:domain',
                'type:util',
                'type:testing',
              ],
            },
            // A service's decide and evolve functions: pure, so they lean only on contracts and
            // utilities (and, in specs, the test helpers).
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:contracts', 'type:util', 'type:testing'],
              bannedExternalImports: infrastructure,
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
    files: ['apps/*/src/**/domain/**/*.ts', 'libs/*/domain/**/*.ts'],
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
