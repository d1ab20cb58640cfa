import { z } from 'zod';

/**
 * Session access tokens are JWTs signed ES256 by the identity service (the local provider's), or
 * RS256 by WorkOS (AuthKit's). The gateway verifies both locally against the keys published on
 * `identity.v1.jwks`.
 */
export const SESSION_TOKEN = {
  algorithm: 'ES256',
  issuer: 'orgplane-identity',
  audience: 'orgplane',
} as const;

/** The identity service's own tokens: `sub` is the user's id. */
export const sessionTokenClaimsSchema = z.object({
  iss: z.literal(SESSION_TOKEN.issuer),
  aud: z.literal(SESSION_TOKEN.audience),
  sub: z.uuid(),
  /** seconds since the epoch */
  iat: z.number().int(),
  exp: z.number().int(),
});
export type SessionTokenClaims = z.infer<typeof sessionTokenClaimsSchema>;

export const WORKOS_ACCESS_TOKEN = { algorithm: 'RS256' } as const;

/**
 * What Orgplane reads of a WorkOS access token: `sub` is the WorkOS user (`user_…`), whose
 * Orgplane id is `userIdOfWorkosUser(sub)`; `sid` the WorkOS session. There is no audience claim.
 */
export const workosAccessTokenClaimsSchema = z.object({
  iss: z.string().min(1),
  sub: z.string().startsWith('user_').max(100),
  sid: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type WorkosAccessTokenClaims = z.infer<typeof workosAccessTokenClaimsSchema>;

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

/** An RSA public key as a JSON Web Key: how WorkOS publishes its signing keys. */
export const rsaPublicJwkSchema = z.object({
  kty: z.literal('RSA'),
  n: z.string().min(1),
  e: z.string().min(1),
  kid: z.string().min(1),
  alg: z.literal(WORKOS_ACCESS_TOKEN.algorithm),
  use: z.literal('sig'),
});
export type RsaPublicJwk = z.infer<typeof rsaPublicJwkSchema>;

/**
 * Reply of `identity.v1.jwks`. `keys` sign the identity service's tokens (issuer and audience in
 * SESSION_TOKEN). `workos`, present when WorkOS is configured, holds the keys WorkOS signs its
 * access tokens with (as identity last fetched them from WorkOS) and the issuers those tokens may
 * name.
 */
export const jwksSchema = z.object({
  keys: z.array(ecPublicJwkSchema),
  workos: z
    .object({
      issuers: z.array(z.string().min(1)).min(1),
      keys: z.array(rsaPublicJwkSchema),
    })
    .optional(),
});
export type Jwks = z.infer<typeof jwksSchema>;
