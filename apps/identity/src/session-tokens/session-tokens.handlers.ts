import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { IDENTITY_SUBJECTS, type Jwks, type ServiceReply } from '@orgplane/contracts';
import { SessionTokenSigner } from './session-token.signer';

@Controller()
export class SessionTokensHandlers {
  constructor(private readonly signer: SessionTokenSigner) {}

  /** The public keys session tokens are signed with; the gateway verifies tokens against them. */
  @MessagePattern(IDENTITY_SUBJECTS.jwks)
  jwks(): ServiceReply<Jwks> {
    return { data: this.signer.jwks() };
  }
}
