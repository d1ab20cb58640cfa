import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceClient, type Logger } from '@orgplane/messaging';
import { AuthModule } from './auth/auth.module';
import type { GatewayConfig } from './gateway.config';
import { OrganizationsModule } from './organizations/organizations.module';

@Module({})
export class AppModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [AuthModule, OrganizationsModule],
      providers: [
        {
          provide: ServiceClient,
          useFactory: () =>
            new ServiceClient({
              natsUrl: config.NATS_URL,
              defaultTimeoutMs: config.REQUEST_TIMEOUT_MS,
              name: 'gateway',
              logger,
            }),
        },
      ],
      exports: [ServiceClient],
    };
  }
}
