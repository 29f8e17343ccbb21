import 'reflect-metadata';
import { runWorkerApp } from '@app/common';
import { DispatcherModule } from './dispatcher.module';

void runWorkerApp(DispatcherModule, 'dispatcher');
