/** Request/reply subjects the identity service answers (queue group `identity`). */
export const IDENTITY_SUBJECTS = {
  devSignIn: 'identity.v1.devSignIn',
  jwks: 'identity.v1.jwks',
  health: 'identity.v1.health',
} as const;
