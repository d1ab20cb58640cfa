import 'reflect-metadata';
import { runService } from '@orgplane/messaging';
import { startSecretsVault } from './bootstrap';

runService(() => startSecretsVault());
