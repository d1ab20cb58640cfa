import 'reflect-metadata';
import { runService } from '@orgplane/messaging';
import { startResources } from './bootstrap';

runService(() => startResources());
