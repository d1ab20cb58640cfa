export {
  apiKeyStatus,
  authenticationOf,
  hashesOf,
  issued,
  toMinute,
  type ApiKey,
  type IssuedApiKey,
} from './api-keys/api-key';
export { apiKeyDecider, type ApiKeyCommand, type DrawnSecret } from './api-keys/api-key.decider';
export { requireAdminForAll, requireVisible, type KeyActor } from './common/key-access';
export {
  sshKeyDecider,
  sshKeyIdOf,
  type RegisteredSshKey,
  type SshKey,
  type SshKeyCommand,
} from './ssh-keys/ssh-key.decider';
export { parseSshPublicKey, SSH_KEY_PROBLEMS } from './ssh-keys/ssh-public-key';
