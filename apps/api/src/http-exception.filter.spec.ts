import type { ArgumentsHost } from '@nestjs/common';
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

  it('still answers an unknown error with a 500 and an errorId to look up', () => {
    const { status, body } = answerFor(Object.assign(new Error('boom'), { code: '42P01' }));
    expect(status).toBe(500);
    expect(body.errorId).toEqual(expect.any(String));
  });
});
