import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { reasonText } from '@app/config';
import type { WebhookKind } from '@app/database';
import { AckLinks } from '@app/calls';
import type { ClaimedAttempt } from '../attempts/attempt-store';
import { composeCallRobot } from '../content/compose';
import { MessageTemplates } from '../content/templates';
import { dingTalkSignedUrl, signWebhook, WEBHOOK_HEADERS } from '../signing/webhook-signature';
import { CallChannel, callContent, ChannelOutcome } from './call-channel';

interface Endpoint {
  name: string;
  kind: WebhookKind;
  url: string;
  secret: string | null;
}

const TIMEOUT_MS = 5000;

/**
 * Webhooks to organisations' systems (JSON, HMAC-SHA256 over `timestamp.body`, idempotency key header) and
 * group robots in DingTalk (timestamp + sign) and WeCom (key URL) formats. A 2xx (errcode 0) is delivery; other
 * 4xx refuse for good; 5xx, 429 and timeouts are retried with backoff.
 */
@Injectable()
export class WebhookChannel implements CallChannel {
  constructor(
    private readonly dataSource: DataSource,
    private readonly templates: MessageTemplates,
    private readonly links: AckLinks,
    private readonly clock: Clock,
  ) {}

  async send(a: ClaimedAttempt): Promise<ChannelOutcome> {
    const [endpoint] = await this.dataSource.query<Endpoint[]>(
      `SELECT name, kind, url, secret FROM webhook_endpoints WHERE name = $1`,
      [a.address],
    );
    const provider = `webhook:${a.address}`.slice(0, 32);
    if (!endpoint) {
      return {
        ok: false,
        kind: 'recipient',
        code: 'UnknownEndpoint',
        error: `no webhook endpoint named ${a.address}`,
        invalidNumber: true,
        provider,
      };
    }
    const now = this.clock.now();
    const link = this.links.url(this.links.token(a.call_task_id, a.person_id, a.expires_at));
    const { url, body, headers } = this.request(endpoint, a, link, now);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      return { ok: false, kind: 'provider', code: 'NetworkError', error: (e as Error).message, provider };
    }
    const text = await res.text();
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      return { ok: false, kind: 'provider', code: `HTTP${res.status}`, error: text.slice(0, 200), provider };
    }
    if (res.status >= 400) {
      return {
        ok: false,
        kind: 'recipient',
        code: `HTTP${res.status}`,
        error: text.slice(0, 200),
        invalidNumber: true,
        provider,
      };
    }
    if (endpoint.kind !== 'signed') {
      const answer = JSON.parse(text || '{}') as { errcode?: number; errmsg?: string };
      if (answer.errcode !== 0) {
        const code = `errcode ${answer.errcode}`;
        const error = `${code}: ${answer.errmsg ?? ''}`;
        // Sending too fast (DingTalk 130101, WeCom 45009) is retried; a bad sign, key or keyword is not.
        return [130101, 45009].includes(answer.errcode ?? -1)
          ? { ok: false, kind: 'retry', code, error, provider }
          : { ok: false, kind: 'recipient', code, error, invalidNumber: true, provider };
      }
    }
    return { ok: true, messageIds: [a.idempotency_key], rejected: 0, provider, delivered: true };
  }

  private request(
    e: Endpoint,
    a: ClaimedAttempt,
    link: string,
    now: Date,
  ): { url: string; body: string; headers: Record<string, string> } {
    if (e.kind === 'signed') {
      const body = JSON.stringify({
        type: 'call',
        idempotencyKey: a.idempotency_key,
        callTaskId: a.call_task_id,
        warning: {
          id: a.warning_id,
          headline: a.headline,
          event: a.event,
          level: a.level,
          isDrill: a.is_drill,
          area: a.area_desc,
          instruction: a.instruction,
        },
        person: { id: a.person_id, name: a.person_name },
        reasons: a.reasons.map(reasonText),
        requiresAck: a.requires_ack,
        deadlineAt: a.deadline_at,
        ackUrl: link,
      });
      const ts = Math.floor(now.getTime() / 1000);
      return {
        url: e.url,
        body,
        headers: {
          [WEBHOOK_HEADERS.timestamp]: String(ts),
          [WEBHOOK_HEADERS.signature]: signWebhook(e.secret ?? '', ts, body),
          [WEBHOOK_HEADERS.idempotencyKey]: a.idempotency_key,
        },
      };
    }
    const robot = composeCallRobot(this.templates, callContent(a, link), now);
    if (e.kind === 'dingtalk') {
      return {
        url: e.secret ? dingTalkSignedUrl(e.url, e.secret, now.getTime()) : e.url,
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title: robot.title, text: robot.text } }),
        headers: {},
      };
    }
    return {
      url: e.url,
      body: JSON.stringify({ msgtype: 'markdown', markdown: { content: robot.text } }),
      headers: {},
    };
  }
}
