export {
  currentVersion,
  keptVersion,
  secretDecider,
  valueKeysToDestroy,
  versionToWrite,
  type ActiveSecret,
  type DeletedSecret,
  type KeptVersion,
  type Secret,
  type SecretCommand,
  type SecretIdentity,
} from './secrets/secret.decider';
export {
  adminRequired,
  ownerMeant,
  requireManager,
  revealAccess,
  revealNotAllowed,
  secretIdOf,
  type SecretActor,
} from './secrets/secret-access';
export { secretNameOf } from './secrets/secret-name';
export { dataKeyDestructionDecider } from './member-removal/data-key-destruction.decider';
export { resolvedSecret } from './resolution/resolution';
