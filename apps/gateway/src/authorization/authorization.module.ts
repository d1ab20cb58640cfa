import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { NatsBroadcast, ServiceClient } from '@orgplane/messaging';
import { AuthModule } from '../auth/auth.module';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { AccessCache } from './access-cache';
import { AuthorizationGuard } from './authorization.guard';

@Module({
  imports: [AuthModule],
  providers: [
    {
      provide: AccessCache,
      inject: [ServiceClient, NatsBroadcast, GATEWAY_CONFIG],
      useFactory: (services: ServiceClient, broadcast: NatsBroadcast, config: GatewayConfig) => {
        const cache = new AccessCache(services, {
          ttlMs: config.ACCESS_CACHE_TTL_MS,
          maxEntries: config.ACCESS_CACHE_MAX_USERS,
        });
        cache.listen(broadcast);
        return cache;
      },
    },
    { provide: APP_GUARD, useClass: AuthorizationGuard },
  ],
})
export class AuthorizationModule {}
