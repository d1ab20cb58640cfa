import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { IDENTITY_SUBJECTS, type Jwks, type ServiceReply } from '@orgplane/contracts';
import { WorkosJwks } from '../workos/infrastructure/workos-jwks';
import { SessionTokenSigner } from './session-token.signer';

@Controller()
export class SessionTokensHandlers {
  constructor(
    private readonly signer: SessionTokenSigner,
    private readonly workosJwks: WorkosJwks,
  ) {}

  /**
   * The public keys session tokens are signed with: ours, and WorkOS's when it is configured. The
   * gateway verifies tokens against them.
   */
  @MessagePattern(IDENTITY_SUBJECTS.jwks)
  async jwks(): Promise<ServiceReply<Jwks>> {
    const workos = await this.workosJwks.published();
    return { data: { ...this.signer.jwks(), ...(workos ? { workos } : {}) } };
  }
}
