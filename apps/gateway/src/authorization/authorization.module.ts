import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { KEYS_SUBJECTS } from '@orgplane/contracts';
import { NatsBroadcast, ServiceClient } from '@orgplane/messaging';
import { systemClock } from '@orgplane/util';
import { AuthModule } from '../auth/auth.module';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config';
import { AccessCache } from './access-cache';
import { ApiKeyCache, lookupOverNats } from './api-key-cache';
import { ApiKeyUsage } from './api-key-usage';
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
    {
      provide: ApiKeyCache,
      inject: [ServiceClient, NatsBroadcast, GATEWAY_CONFIG],
      useFactory: (services: ServiceClient, broadcast: NatsBroadcast, config: GatewayConfig) => {
        const cache = new ApiKeyCache(lookupOverNats(services), {
          ttlMs: config.API_KEY_CACHE_TTL_MS,
          maxEntries: config.API_KEY_CACHE_MAX_KEYS,
        });
        cache.listen(broadcast);
        return cache;
      },
    },
    {
      provide: ApiKeyUsage,
      inject: [NatsBroadcast, GATEWAY_CONFIG],
      useFactory: (broadcast: NatsBroadcast, config: GatewayConfig) =>
        new ApiKeyUsage(
          (message) => broadcast.publish(KEYS_SUBJECTS.apiKeysUsed, message),
          systemClock,
          config.API_KEY_USAGE_FLUSH_MS,
        ),
    },
    { provide: APP_GUARD, useClass: AuthorizationGuard },
  ],
})
export class AuthorizationModule {}
