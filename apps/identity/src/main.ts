import 'reflect-metadata';
import { runService } from '@orgplane/messaging';
import { startIdentity } from './bootstrap';

runService(() => startIdentity());
