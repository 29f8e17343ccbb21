import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError } from '@app/common';
import { isDatabaseDown } from '@app/database';
import { renderMessagePage } from './pages/page-shell';

export const DOMAIN_STATUS: Record<string, number> = {
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  transient: 503,
  too_many_requests: 429,
  totp_required: 400,
};

// Errors raised by body parsers before our code runs.
const PARSER_ERRORS: Record<string, [number, string]> = {
  'entity.too.large': [413, 'request body is too large（请求体过大）'],
  'entity.parse.failed': [400, 'request body is not valid JSON（JSON 格式错误）'],
  'encoding.unsupported': [415, 'unsupported request body encoding（不支持的编码）'],
  'charset.unsupported': [415, 'unsupported charset（不支持的字符集）'],
  'request.aborted': [400, 'request aborted'],
  'request.size.invalid': [400, 'request size did not match Content-Length'],
};

// Routes a person opens in a browser: errors answer with a zh-CN page, not JSON.
const PAGE_PREFIXES = ['/ack/', '/order/', '/a/', '/console'];

// PostgreSQL refuses NUL and bytes invalid in UTF-8 inside text: a client's input, not our fault.
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

export interface ErrorAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Every error of a route, answered as `errorAnswer` maps it: a zh-CN page on the routes a person opens, JSON elsewhere. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  /** `dutyDeskPhone` (DUTY_DESK_PHONE) is shown on every error page a person opens, as a tel: link. */
  constructor(private readonly dutyDeskPhone: string | null = null) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    const answer = errorAnswer(exception, this.logger);
    if (res.headersSent) {
      return;
    }
    if (PAGE_PREFIXES.some((prefix) => req.path?.startsWith(prefix))) {
      res
        .status(answer.status)
        .type('html')
        .set('Referrer-Policy', 'no-referrer')
        .send(renderMessagePage('无法完成', String(answer.body.message), this.dutyDeskPhone));
      return;
    }
    const retryAfter = (exception as DomainError | undefined)?.details?.retryAfterSeconds;
    if (answer.status === 429 && typeof retryAfter === 'number') {
      res.set('Retry-After', String(retryAfter));
    }
    res.status(answer.status).json(answer.body);
  }
}

/** The status and JSON body of an error: domain errors to 4xx, outages to 503, the unknown to 500 with an errorId. */
export function errorAnswer(e: unknown, logger: Pick<Logger, 'warn' | 'error'>): ErrorAnswer {
  if (e instanceof DomainError) {
    return {
      status: DOMAIN_STATUS[e.code] ?? 400,
      body: { error: e.code, code: e.code, message: e.message, details: e.details },
    };
  }
  if (e instanceof HttpException) {
    const r = e.getResponse();
    const message = typeof r === 'string' ? r : ((r as { message?: unknown }).message ?? e.message);
    return { status: e.getStatus(), body: { error: 'http_error', message: inChinese(e.getStatus(), message) } };
  }
  const err = e as { type?: string; code?: string; status?: number; message?: string; stack?: string };
  if (err?.type && PARSER_ERRORS[err.type]) {
    const [status, message] = PARSER_ERRORS[err.type];
    const limit = (err as { limit?: unknown }).limit;
    if (err.type === 'entity.too.large' && typeof limit === 'number') {
      const text = `request body is larger than the ${limit} bytes accepted; nothing was stored（请求体超过 ${limit} 字节上限，未作处理）`;
      return {
        status,
        body: { error: err.type, message: text, details: { field: 'body', problem: 'too large', limit } },
      };
    }
    return { status, body: { error: err.type, message } };
  }
  if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    return { status: err.status, body: { error: 'bad_request', message: inChinese(err.status, err.message) } };
  }
  if (err?.code && UNSTORABLE_TEXT_CODES.has(err.code)) {
    // The statement failed, so its transaction wrote nothing; a validator that let the character through is a bug.
    logger.warn({ msg: 'text the database cannot store reached a statement', code: err.code });
    return {
      status: 400,
      body: {
        error: 'validation_failed',
        message:
          'the text holds a character that cannot be stored, such as NUL; nothing was stored（文本含有无法保存的字符，如 NUL，未作处理）',
      },
    };
  }
  if (isDatabaseDown(err)) {
    // PostgreSQL or Redis away (a restart, a failover): the same request succeeds once it is back.
    logger.warn({ msg: 'dependency unavailable', code: err.code, error: err.message });
    return {
      status: 503,
      body: { error: 'unavailable', message: '服务暂时不可用，请稍后重试 (dependency unavailable)' },
    };
  }
  const errorId = randomUUID();
  logger.error({ msg: `unhandled error ${errorId}: ${err?.message}`, errorId }, err?.stack);
  return { status: 500, body: { error: 'internal', message: 'internal error', errorId } };
}

const STATUS_ZH: Record<number, string> = {
  400: '请求有误',
  404: '未找到该地址',
  405: '不支持该请求方法',
  413: '请求体过大',
  415: '不支持该内容类型',
};

/**
 * Framework messages (an unknown route, an undecodable path, a pipe's refusal) come in English only: they get the
 * Chinese of their status in front, so that every refusal reads in Chinese and English.
 */
function inChinese(status: number, message: unknown): string {
  const text = Array.isArray(message)
    ? message.map(String).join('; ')
    : typeof message === 'string'
      ? message
      : JSON.stringify(message ?? '');
  return /[\u4e00-\u9fff]/.test(text) ? text : `${STATUS_ZH[status] ?? '请求无法处理'} (${text})`;
}
