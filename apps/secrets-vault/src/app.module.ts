import { Module, type DynamicModule } from '@nestjs/common';
import { CommandRunner, EventSourcingModule } from '@orgplane/event-sourcing';
import { MembershipClient, ServiceClient, type Logger } from '@orgplane/messaging';
import { EncryptionModule } from './encryption';
import { MemberRemovalModule } from './member-removal';
import { secretsVaultEntities, secretsVaultProjections } from './read-models';
import { ResolutionModule } from './resolution';
import { SECRETS_VAULT_CONFIG, type SecretsVaultConfig } from './secrets-vault.config';
import { SecretsModule } from './secrets';

/** Membership answers within this; past it, a reveal or a resolution that asked fails with 503. */
const SERVICE_REQUEST_TIMEOUT_MS = 5000;

@Module({})
export class AppModule {
  static register(config: SecretsVaultConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        EventSourcingModule.forService(config, {
          entities: secretsVaultEntities,
          projections: secretsVaultProjections,
        }),
        EncryptionModule,
        SecretsModule,
        ResolutionModule,
        MemberRemovalModule,
      ],
      providers: [
        { provide: SECRETS_VAULT_CONFIG, useValue: config },
        {
          provide: ServiceClient,
          useFactory: () =>
            new ServiceClient({
              natsUrl: config.NATS_URL,
              defaultTimeoutMs: SERVICE_REQUEST_TIMEOUT_MS,
              name: 'secrets-vault-client',
              logger,
            }),
        },
        MembershipClient,
        CommandRunner,
      ],
      exports: [SECRETS_VAULT_CONFIG, EncryptionModule, MembershipClient, CommandRunner],
    };
  }
}
