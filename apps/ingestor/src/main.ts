import 'reflect-metadata';
import { runWorkerApp } from '@app/common';
import { IngestorModule } from './ingestor.module';

void runWorkerApp(IngestorModule, 'ingestor');
