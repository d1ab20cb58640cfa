import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionTokensModule } from '../../session-tokens/session-tokens.module';
import { UserEntity } from '../infrastructure/user.entity';
import { UserAccounts } from './user-accounts';
import { UsersHandlers } from './users.handlers';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity]), SessionTokensModule],
  controllers: [UsersHandlers],
  providers: [UserAccounts],
  exports: [UserAccounts],
})
export class UsersModule {}
