import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IDENTITY_CONFIG, type IdentityConfig } from '../identity.config';
import { SessionTokenSigner } from './session-token.signer';
import { SessionTokensHandlers } from './session-tokens.handlers';
import { loadSigningKey } from './signing-key';

@Module({
  controllers: [SessionTokensHandlers],
  providers: [
    {
      provide: SessionTokenSigner,
      inject: [IDENTITY_CONFIG, DataSource],
      useFactory: async (config: IdentityConfig, dataSource: DataSource) =>
        new SessionTokenSigner(
          await loadSigningKey(config, dataSource),
          config.SESSION_TOKEN_TTL_SECONDS,
        ),
    },
  ],
  exports: [SessionTokenSigner],
})
export class SessionTokensModule {}
