import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Server } from 'node:http';
import { startApiOnly } from '../support/api-app';

const startApi = async (env: Record<string, string>, clearQueues = true): Promise<INestApplication> =>
  (await startApiOnly({ env, clearQueues })).app;

describe('the API edge', () => {
  const redisUrl = process.env.REDIS_URL as string;

  afterEach(() => {
    process.env.REDIS_URL = redisUrl;
  });

  it('answers health 200, serves the OpenAPI document, and refuses calls without a key', async () => {
    const app = await startApi({ REDIS_URL: redisUrl });
    const server = app.getHttpServer() as Server;
    const health = await request(server).get('/api/v1/health').expect(200);
    expect(health.body).toEqual({ status: 'ok', postgres: 'up', redis: 'up' });
    const docs = await request(server).get('/api/docs-json').expect(200);
    expect(Object.keys((docs.body as { paths: object }).paths)).toEqual(
      expect.arrayContaining(['/api/v1/alerts', '/api/v1/warnings/{id}', '/api/v1/health']),
    );
    const noKey = await request(server).post('/api/v1/alerts').set('Content-Type', 'application/json').send('{}').expect(401);
    expect((noKey.body as { message: string }).message).toContain('Authorization: Bearer');
    await request(server).get('/api/v1/warnings/x').set('Authorization', 'Bearer nope').expect(401);
    await app.close();
  });

  it('answers 503 while Redis is unreachable, and does not crash', async () => {
    const app = await startApi({ REDIS_URL: 'redis://127.0.0.1:6399' }, false);
    const health = await request(app.getHttpServer() as Server).get('/api/v1/health').expect(503);
    expect(health.body).toEqual({ status: 'degraded', postgres: 'up', redis: 'down' });
    await app.close();
  });
});
