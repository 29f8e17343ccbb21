import 'reflect-metadata';
import { runWorkerApp } from '@app/common';
import { MatcherModule } from './matcher.module';

void runWorkerApp(MatcherModule, 'matcher');
