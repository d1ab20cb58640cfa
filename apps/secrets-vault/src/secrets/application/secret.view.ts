import type { SecretAccessView, SecretVersionView, SecretView } from '@orgplane/contracts';
import {
  currentVersion,
  type ActiveSecret,
  type DeletedSecret,
} from '@orgplane/secrets-vault-domain';
import type { SecretAccessEntity } from '../infrastructure/secret-access.entity';
import type { SecretVersionEntity } from '../infrastructure/secret-version.entity';
import type { SecretEntity } from '../infrastructure/secret.entity';

/** The one mapping to the secret object of the API, from the read model's row: never a value. */
export function toSecretView(secret: SecretEntity): SecretView {
  return {
    id: secret.id,
    name: secret.name,
    orgWide: secret.ownerUserId === null,
    ownerUserId: secret.ownerUserId,
    category: secret.category,
    scope: secret.scope,
    description: secret.description,
    version: secret.version,
    status: secret.status,
    createdAt: secret.createdAt.toISOString(),
    createdBy: secret.createdBy,
    updatedAt: secret.updatedAt.toISOString(),
    updatedBy: secret.updatedBy,
    deletedAt: secret.deletedAt?.toISOString() ?? null,
  };
}

/** The same object from the state a write left, for the reply to the write. */
export function storedSecretView(secret: ActiveSecret | DeletedSecret): SecretView {
  const { versions: _sealedValues, status, createdAt, updatedAt, ...rest } = secret;
  return toSecretView({
    ...rest,
    version: currentVersion(secret).version,
    status,
    createdAt: new Date(createdAt),
    updatedAt: new Date(updatedAt),
    deletedAt: secret.status === 'deleted' ? new Date(secret.deletedAt) : null,
  });
}

export function toSecretVersionView(
  version: SecretVersionEntity,
  currentVersionNumber: number,
): SecretVersionView {
  return {
    version: version.version,
    createdAt: version.createdAt.toISOString(),
    createdBy: version.createdBy,
    current: version.version === currentVersionNumber,
  };
}

export function toSecretAccessView(access: SecretAccessEntity): SecretAccessView {
  return {
    eventId: access.eventId,
    kind: access.kind,
    version: access.version,
    at: access.at.toISOString(),
    userId: access.userId,
    apiKeyId: access.apiKeyId,
    resolver: access.resolver,
    requestId: access.requestId,
  };
}
