import { INestApplication, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@app/config';
import { consoleSpa } from './console/console-spa';
import { HttpExceptionFilter } from './http-exception.filter';
import { validationErrorFrom } from './validation-errors';

/** Everything main.ts and the e2e tests share: validation, the error filter, OpenAPI at /api/docs, the duty desk at /console/. */
export function setupApp(app: INestApplication): void {
  app.use('/console', consoleSpa());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // The DTO instance on each error, so an unknown field is answered with the nearest declared name.
      validationError: { target: true, value: false },
      exceptionFactory: validationErrorFrom,
    }),
  );
  app.useGlobalFilters(new HttpExceptionFilter(app.get<AppConfig>(APP_CONFIG, { strict: false }).ack.dutyDeskPhone));
  const doc = new DocumentBuilder()
    .setTitle('Jiaoying 叫应 API')
    .setDescription('Disaster early warning ingest, 叫应 tracking and acknowledgment')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, SwaggerModule.createDocument(app, doc));
}
