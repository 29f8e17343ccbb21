import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { Server } from 'node:http';
import { DataSource } from 'typeorm';
import { issueApiKey } from '@app/testing';
import { startApiOnly } from '../support/api-app';
import { capXml } from '../support/cap-builder';

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
    const noKey = await request(server)
      .post('/api/v1/alerts')
      .set('Content-Type', 'application/json')
      .send('{}')
      .expect(401);
    expect((noKey.body as { message: string }).message).toContain('Authorization: Bearer');
    await request(server).get('/api/v1/warnings/x').set('Authorization', 'Bearer nope').expect(401);
    await app.close();
  });

  it('answers 503 while Redis is unreachable, and does not crash', async () => {
    const app = await startApi({ REDIS_URL: 'redis://127.0.0.1:6399' }, false);
    const health = await request(app.getHttpServer() as Server)
      .get('/api/v1/health')
      .expect(503);
    expect(health.body).toEqual({ status: 'degraded', postgres: 'up', redis: 'down' });
    await app.close();
  });
  it('accepts a warning without waiting for an unreachable Redis: PostgreSQL has it, the sweep enqueues it later', async () => {
    const app = await startApi({ REDIS_URL: 'redis://127.0.0.1:6399' }, false);
    const ds = app.get(DataSource);
    const key = await issueApiKey(ds, 'ingest-redis-away', 'ingest', '500000');
    const started = Date.now();
    const res = await request(app.getHttpServer() as Server)
      .post('/api/v1/alerts')
      .set('Authorization', `Bearer ${key}`)
      .set('Content-Type', 'application/cap+xml')
      .send(capXml({ identifier: `REDIS-AWAY-${started}`, geocode: '500230107' }));
    const tookMs = Date.now() - started;
    expect(res.status).toBe(202);
    process.stdout.write(`ingest with Redis away answered in ${tookMs} ms\n`);
    expect(tookMs).toBeLessThan(5_000);
    const [w] = await ds.query<Array<{ state: string }>>(`SELECT state FROM warnings WHERE id = $1`, [
      (res.body as { id: string }).id,
    ]);
    expect(w.state).toBe('received');
    await app.close();
  });
});
