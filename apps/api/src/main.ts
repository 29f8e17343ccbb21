import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { JsonLogger, levelsUpTo } from '@app/common';
import { loadEnv } from '@app/config';
import { ApiModule } from './api.module';
import { setupApp } from './setup-app';

async function main(): Promise<void> {
  const config = loadEnv();
  const logger = new JsonLogger('api', levelsUpTo(config.logLevel));
  const app = await NestFactory.create(ApiModule, { bodyParser: false, logger });
  setupApp(app);
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  logger.log(
    { msg: `api listening on ${config.http.host}:${config.http.port}`, docs: `${config.http.publicBaseUrl}/api/docs` },
    'main',
  );
}

void main();
