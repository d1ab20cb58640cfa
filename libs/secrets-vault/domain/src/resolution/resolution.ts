import type { SecretUsage } from '@orgplane/contracts';
import type { ActiveSecret, Secret } from '../secrets/secret.decider';

/**
 * The secret a run of `usage` uses, of the candidates in order of precedence (the user's own,
 * then the organization's): the first active one whose scope is `all` or that usage. A user's
 * secret scoped elsewhere does not hide the org-shared one.
 */
export function resolvedSecret(
  candidates: readonly Secret[],
  usage: SecretUsage,
): ActiveSecret | null {
  for (const candidate of candidates) {
    if (candidate.status === 'active' && (candidate.scope === 'all' || candidate.scope === usage)) {
      return candidate;
    }
  }
  return null;
}
