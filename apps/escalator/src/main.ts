import 'reflect-metadata';
import { runWorkerApp } from '@app/common';
import { EscalatorModule } from './escalator.module';

void runWorkerApp(EscalatorModule, 'escalator');
