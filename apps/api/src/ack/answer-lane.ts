import { BadRequestException, INestApplication, Logger } from '@nestjs/common';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { APP_CONFIG, AppConfig } from '@app/config';
import { AckService } from '@app/response';
import { jsonParser } from '../body-parsers';
import { errorAnswer } from '../http-exception.filter';
import { requestValidation } from '../request-validation';
import { AckFormDto } from './ack-form.dto';
import { AckRateLimiter, TOO_MANY_REQUESTS_BODY } from './ack-rate-limiter';

/** `POST /api/v1/ack/<token>`, the token as signed (base64url and a dot), nothing after it but a query. */
const ROUTE = /^\/api\/v1\/ack\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)(?:\?.*)?$/;

/**
 * The answer by link without Express and Nest in its way. When a warning's people answer together, routing, body
 * parsing and the request pipeline cost the api several times what the answer itself does. This listener takes
 * `POST /api/v1/ack/<token>` with a JSON body of declared length and answers exactly as the route does: the same
 * limiter, body parser, DTO validation, service call and error mapping (AckController.submitJson is the reference).
 * Any other request goes to Express untouched, a chunked answer or one of another content type included.
 */
export function installAnswerLane(app: INestApplication): void {
  const server = app.getHttpServer() as Server;
  const [express] = server.listeners('request') as RequestListener[];
  if (!express) {
    throw new Error('the HTTP server has no request listener to put the answer lane in front of');
  }
  const config = app.get<AppConfig>(APP_CONFIG);
  const lane = new AnswerLane(app.get(AckService), app.get(AckRateLimiter), jsonParser(config.http.maxBodyBytes));
  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const token = lane.tokenOf(req);
    if (token === null) {
      express(req, res);
    } else {
      void lane.answer(token, req, res);
    }
  });
}

class AnswerLane {
  private readonly logger = new Logger(AnswerLane.name);
  private readonly validation = requestValidation();

  constructor(
    private readonly acks: AckService,
    private readonly limiter: AckRateLimiter,
    private readonly json: RequestHandler,
  ) {}

  /** The body read by the route's own JSON parser (the same limit, charsets and strictness). */
  private body(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.json(req as Request, res as Response, (e?: unknown) =>
        e ? reject(asRouteError(e)) : resolve((req as Request).body),
      ),
    );
  }

  /** The token when this lane takes the request, or null for Express. */
  tokenOf(req: IncomingMessage): string | null {
    if (req.method !== 'POST' || !req.url?.startsWith('/api/v1/ack/')) {
      return null;
    }
    if (
      req.headers['content-length'] === undefined ||
      !/^application\/json\b/i.test(req.headers['content-type'] ?? '')
    ) {
      return null;
    }
    return ROUTE.exec(req.url)?.[1] ?? null;
  }

  async answer(token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!(await this.limiter.allows(req.socket.remoteAddress ?? 'unknown'))) {
        req.resume();
        res.setHeader('Retry-After', '1');
        send(res, 429, TOO_MANY_REQUESTS_BODY);
        return;
      }
      const form = (await this.validation.transform(await this.body(req, res), {
        type: 'body',
        metatype: AckFormDto,
      })) as AckFormDto;
      send(res, 200, await this.acks.acknowledgeByToken(token, form));
    } catch (e) {
      const answer = errorAnswer(e, this.logger);
      send(res, answer.status, answer.body);
    }
  }
}

/**
 * A body parser's refusal of the JSON itself (a SyntaxError with status 400) as Nest's router answers it, a
 * BadRequestException with the parser's message; any other parser error (too large, a charset) as it is.
 */
const asRouteError = (e: unknown): Error =>
  e instanceof SyntaxError && (e as { status?: number }).status === 400
    ? new BadRequestException(e.message)
    : (e as Error);

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
