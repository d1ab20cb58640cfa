import { Module } from '@nestjs/common';
import { SshKeysController } from './ssh-keys.controller';

@Module({ controllers: [SshKeysController] })
export class SshKeysModule {}
