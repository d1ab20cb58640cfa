import { Module } from '@nestjs/common';
import { ServiceClient } from '@orgplane/messaging';
import { systemClock } from '@orgplane/util';
import { DevSignInController } from './dev-sign-in.controller';
import { SessionTokenVerifier } from './session-token.verifier';
import { SessionGuard } from './session.guard';

@Module({
  controllers: [DevSignInController],
  providers: [
    {
      provide: SessionTokenVerifier,
      inject: [ServiceClient],
      useFactory: (services: ServiceClient) => new SessionTokenVerifier(services, systemClock),
    },
    SessionGuard,
  ],
  exports: [SessionGuard, SessionTokenVerifier],
})
export class AuthModule {}
