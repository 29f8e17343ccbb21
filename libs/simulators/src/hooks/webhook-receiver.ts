import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Answer } from '../carrier/carrier-sim';

export type HookKind = 'signed' | 'dingtalk' | 'wecom';

export interface HookConfig {
  kind: HookKind;
  /** HMAC secret (signed, dingtalk) or the WeCom key. */
  secret: string;
  /** Answer 503 this many times before accepting (to watch retries). */
  failTimes?: number;
}

export interface ReceivedHook {
  name: string;
  at: string;
  body: unknown;
  idempotencyKey: string | null;
  duplicate: boolean;
}

const equal = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Organisations' systems and group robots, as a receiver that checks what they would check: our HMAC webhook
 * signature with a 5-minute replay window, DingTalk's timestamp+sign (1 hour), WeCom's key. Written apart from
 * our signer. Records what it accepted, duplicates (same idempotency key) flagged.
 */
export class WebhookReceiver {
  private readonly hooks = new Map<string, HookConfig & { failed: number }>();
  private readonly received: ReceivedHook[] = [];
  private readonly keys = new Set<string>();
  /** Refused deliveries (bad signature, stale, simulated outage), for tests. */
  refused = 0;

  configure(name: string, config: HookConfig): void {
    this.hooks.set(name, { ...config, failed: 0 });
  }

  list(name?: string): ReceivedHook[] {
    return this.received.filter((r) => !name || r.name === name);
  }

  clear(): void {
    this.received.length = 0;
    this.keys.clear();
    this.hooks.clear();
    this.refused = 0;
  }

  signed(name: string, headers: IncomingHttpHeaders, body: string, nowMs = Date.now()): Answer {
    const hook = this.hooks.get(name);
    if (!hook || hook.kind !== 'signed') {
      return this.refuse(404, { error: 'unknown hook' });
    }
    const ts = Number(headers['x-jiaoying-timestamp']);
    const sig = String(headers['x-jiaoying-signature'] ?? '');
    if (!Number.isInteger(ts) || Math.abs(nowMs / 1000 - ts) > 300) {
      return this.refuse(401, { error: 'stale or missing timestamp' });
    }
    const expected = `v1=${createHmac('sha256', hook.secret).update(`${ts}.${body}`).digest('hex')}`;
    if (!equal(sig, expected)) {
      return this.refuse(401, { error: 'bad signature' });
    }
    if (hook.failed < (hook.failTimes ?? 0)) {
      hook.failed += 1;
      return this.refuse(503, { error: 'temporarily unavailable (simulated)' });
    }
    this.keep(name, body, String(headers['x-jiaoying-idempotency-key'] ?? '') || null);
    return { status: 200, body: { ok: true } };
  }

  dingtalk(name: string, query: URLSearchParams, body: string, nowMs = Date.now()): Answer {
    const hook = this.hooks.get(name);
    if (!hook || hook.kind !== 'dingtalk') {
      return this.refuse(200, { errcode: 300001, errmsg: 'token is not exist' });
    }
    const ts = Number(query.get('timestamp'));
    const sign = query.get('sign') ?? '';
    const expected = createHmac('sha256', hook.secret).update(`${ts}\n${hook.secret}`).digest('base64');
    if (!Number.isFinite(ts) || Math.abs(nowMs - ts) > 3600_000 || !equal(sign, expected)) {
      return this.refuse(200, { errcode: 310000, errmsg: 'sign not match' });
    }
    const msg = JSON.parse(body) as { msgtype?: string };
    if (msg.msgtype !== 'markdown' && msg.msgtype !== 'text') {
      return this.refuse(200, { errcode: 40035, errmsg: '缺少参数 msgtype' });
    }
    this.keep(name, body, null);
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  }

  wecom(name: string, query: URLSearchParams, body: string): Answer {
    const hook = this.hooks.get(name);
    if (!hook || hook.kind !== 'wecom' || !equal(query.get('key') ?? '', hook.secret)) {
      return this.refuse(200, { errcode: 93000, errmsg: 'invalid webhook url' });
    }
    this.keep(name, body, null);
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  }

  private refuse(status: number, body: unknown): Answer {
    this.refused += 1;
    return { status, body };
  }

  private keep(name: string, body: string, idempotencyKey: string | null): void {
    const duplicate = !!idempotencyKey && this.keys.has(idempotencyKey);
    if (idempotencyKey) {
      this.keys.add(idempotencyKey);
    }
    this.received.push({
      name,
      at: new Date().toISOString(),
      body: JSON.parse(body) as unknown,
      idempotencyKey,
      duplicate,
    });
  }
}
