import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretUsage } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import type { SecretResolver } from '../../secrets-vault.config';
import type { ActiveSecret, Secret } from '../../secrets/domain/secret.decider';

function resolverNotAuthorized(): ServiceError {
  return new ServiceError(
    'forbidden',
    'resolver_not_authorized',
    'This service may not resolve secrets for this usage',
  );
}

/**
 * The service a credential (`<service>:<token>`) proves, if it is registered for `usage`: the
 * SHA-256 of its token must match a registration's, compared in constant time. Anything else, a
 * missing credential included, is a 403 `resolver_not_authorized` that does not say which part
 * was wrong.
 */
export function authorizedResolver(
  credential: string | undefined,
  usage: SecretUsage,
  resolvers: readonly SecretResolver[],
): string {
  const separator = credential?.indexOf(':') ?? -1;
  if (!credential || separator <= 0) throw resolverNotAuthorized();
  const service = credential.slice(0, separator);
  const tokenSha256 = createHash('sha256')
    .update(credential.slice(separator + 1))
    .digest();
  const registered = resolvers.some(
    (resolver) =>
      resolver.service === service &&
      resolver.usage === usage &&
      timingSafeEqual(Buffer.from(resolver.tokenSha256, 'hex'), tokenSha256),
  );
  if (!registered) throw resolverNotAuthorized();
  return service;
}

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
