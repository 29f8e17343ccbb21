import type { ArgumentsHost } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { HttpExceptionFilter } from './http-exception.filter';

/** What the filter answers for an error thrown on a JSON route. */
function answerFor(error: unknown): { status: number; body: Record<string, unknown> } {
  const sent = { status: 0, body: {} as Record<string, unknown> };
  const res = {
    headersSent: false,
    status(code: number) {
      sent.status = code;
      return this;
    },
    set() {
      return this;
    },
    json(body: Record<string, unknown>) {
      sent.body = body;
      return this;
    },
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ path: '/api/v1/roster/import' }), getResponse: () => res }),
  };
  new HttpExceptionFilter().catch(error, host as unknown as ArgumentsHost);
  return sent;
}

describe('HttpExceptionFilter', () => {
  it('answers text PostgreSQL cannot store (NUL, SQLSTATE 22021) with a 400 in Chinese and English', () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    const { status, body } = answerFor(nul);
    expect(status).toBe(400);
    expect(body.message).toMatch(/NUL.*无法保存/);
  });

  it('answers PostgreSQL or Redis being away with a 503 to try again, however the driver words it', () => {
    const outages = [
      new Error('Connection terminated unexpectedly'), // node-postgres, no code
      new QueryFailedError('SELECT 1', [], Object.assign(new Error('connection does not exist'), { code: '08003' })),
      Object.assign(new Error('connect ENOENT /var/run/postgresql/.s.PGSQL.5432'), {
        code: 'ENOENT',
        syscall: 'connect',
      }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
    ];
    for (const e of outages) {
      const { status, body } = answerFor(e);
      expect({ error: e.message, status }).toEqual({ error: e.message, status: 503 });
      expect(body.message).toMatch(/稍后重试/);
    }
  });

  it('still answers a missing file with a 500: our fault, not an outage', () => {
    const missing = Object.assign(new Error("ENOENT: no such file or directory, open 'x'"), {
      code: 'ENOENT',
      syscall: 'open',
    });
    expect(answerFor(missing).status).toBe(500);
  });

  it('still answers an unknown error with a 500 and an errorId to look up', () => {
    const { status, body } = answerFor(Object.assign(new Error('boom'), { code: '42P01' }));
    expect(status).toBe(500);
    expect(body.errorId).toEqual(expect.any(String));
  });
});
