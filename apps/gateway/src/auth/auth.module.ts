import { Module } from '@nestjs/common';
import { ServiceClient } from '@orgplane/messaging';
import { systemClock } from '@orgplane/util';
import { AuthStatusController } from './auth-status.controller';
import { DevSignInController } from './dev-sign-in.controller';
import { MeController } from './me.controller';
import { SessionTokenVerifier } from './session-token.verifier';
import { WorkosSignInController } from './workos-sign-in.controller';
import { WorkosWebhooksController } from './workos-webhooks.controller';

@Module({
  controllers: [
    AuthStatusController,
    DevSignInController,
    WorkosSignInController,
    WorkosWebhooksController,
    MeController,
  ],
  providers: [
    {
      provide: SessionTokenVerifier,
      inject: [ServiceClient],
      useFactory: (services: ServiceClient) => new SessionTokenVerifier(services, systemClock),
    },
  ],
  exports: [SessionTokenVerifier],
})
export class AuthModule {}
