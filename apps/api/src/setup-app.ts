import { INestApplication, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ValidationError } from '@app/common';
import { HttpExceptionFilter } from './http-exception.filter';

/** Everything main.ts and the e2e tests share: validation, the error filter, OpenAPI at /api/docs. */
export function setupApp(app: INestApplication): void {
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) =>
        new ValidationError(
          errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`).join('; '),
          { fields: errors.map((e) => e.property) },
        ),
    }),
  );
  app.useGlobalFilters(new HttpExceptionFilter());
  const doc = new DocumentBuilder()
    .setTitle('Jiaoying 叫应 API')
    .setDescription('Disaster early warning ingest, 叫应 tracking and acknowledgment')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, SwaggerModule.createDocument(app, doc));
}
