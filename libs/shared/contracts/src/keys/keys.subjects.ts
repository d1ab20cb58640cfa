/** Request/reply subjects the keys service answers (queue group `keys`). */
export const KEYS_SUBJECTS = {
  createApiKey: 'keys.v1.createApiKey',
  listApiKeys: 'keys.v1.listApiKeys',
  getApiKey: 'keys.v1.getApiKey',
  updateApiKey: 'keys.v1.updateApiKey',
  revokeApiKey: 'keys.v1.revokeApiKey',
  rotateApiKey: 'keys.v1.rotateApiKey',
  resolveApiKey: 'keys.v1.resolveApiKey',
  addSshKey: 'keys.v1.addSshKey',
  listSshKeys: 'keys.v1.listSshKeys',
  getSshKey: 'keys.v1.getSshKey',
  deleteSshKey: 'keys.v1.deleteSshKey',
  health: 'keys.v1.health',
  /** published to every gateway (no queue group): see ApiKeysChangedMessage */
  apiKeysChanged: 'keys.v1.events.apiKeysChanged',
  /** published by gateways: see ApiKeysUsedMessage */
  apiKeysUsed: 'keys.v1.events.apiKeysUsed',
} as const;
