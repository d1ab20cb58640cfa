/** Request/reply subjects the identity service answers (queue group `identity`). */
export const IDENTITY_SUBJECTS = {
  devSignIn: 'identity.v1.devSignIn',
  workosAuthorize: 'identity.v1.workosAuthorize',
  workosCallback: 'identity.v1.workosCallback',
  refreshSession: 'identity.v1.refreshSession',
  logout: 'identity.v1.logout',
  workosWebhook: 'identity.v1.workosWebhook',
  getMe: 'identity.v1.getMe',
  jwks: 'identity.v1.jwks',
  health: 'identity.v1.health',
} as const;
