import { z } from 'zod';

/**
 * Session access tokens are JWTs signed ES256 by the identity service; the gateway verifies them
 * locally against the keys published on `identity.v1.jwks`.
 */
export const SESSION_TOKEN = {
  algorithm: 'ES256',
  issuer: 'orgplane-identity',
  audience: 'orgplane',
} as const;

export const sessionTokenClaimsSchema = z.object({
  iss: z.literal(SESSION_TOKEN.issuer),
  aud: z.literal(SESSION_TOKEN.audience),
  sub: z.uuid(),
  email: z.email(),
  /** seconds since the epoch */
  iat: z.number().int(),
  exp: z.number().int(),
});
export type SessionTokenClaims = z.infer<typeof sessionTokenClaimsSchema>;

/** An EC P-256 public key as a JSON Web Key (RFC 7517). */
export const ecPublicJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  kid: z.string().min(1),
  alg: z.literal(SESSION_TOKEN.algorithm),
  use: z.literal('sig'),
});
export type EcPublicJwk = z.infer<typeof ecPublicJwkSchema>;

/** Reply of `identity.v1.jwks`. */
export const jwksSchema = z.object({ keys: z.array(ecPublicJwkSchema) });
export type Jwks = z.infer<typeof jwksSchema>;
