import 'reflect-metadata';
import { runService } from '@orgplane/messaging';
import { startGateway } from './bootstrap';

runService(() => startGateway());
