import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig } from '@app/config';
import { installAnswerLane } from './ack/answer-lane';
import { consoleSpa } from './console/console-spa';
import { HttpExceptionFilter } from './http-exception.filter';
import { requestValidation } from './request-validation';

/** Everything main.ts and the e2e tests share: validation, the error filter, OpenAPI at /api/docs, the duty desk at /console/. */
export function setupApp(app: INestApplication): void {
  app.use('/console', consoleSpa());
  app.useGlobalPipes(requestValidation());
  app.useGlobalFilters(new HttpExceptionFilter(app.get<AppConfig>(APP_CONFIG, { strict: false }).ack.dutyDeskPhone));
  installAnswerLane(app);
  const doc = new DocumentBuilder()
    .setTitle('Jiaoying 叫应 API')
    .setDescription('Disaster early warning ingest, 叫应 tracking and acknowledgment')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, SwaggerModule.createDocument(app, doc));
}
