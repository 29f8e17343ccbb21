import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { CarrierApi } from './carrier/carrier-api';
import type { CarrierNetwork, ProviderMode, SmsBehaviour, VoiceBehaviour } from './carrier/carrier-sim';
import type { LoudspeakerSimulator, SpeakerBehaviour } from './devices/loudspeaker-sim';
import type { HookKind, WebhookReceiver } from './hooks/webhook-receiver';
import type { SmtpSink } from './smtp-sink';

export interface SimulatorParts {
  mail: SmtpSink;
  network?: CarrierNetwork;
  carrier?: CarrierApi;
  hooks?: WebhookReceiver;
  speakers?: LoudspeakerSimulator;
}

const ROUTES = [
  'GET /mail?to=&since=',
  'GET /mail/latest?to=',
  'DELETE /mail',
  'POST /alibaba/sms (dysmsapi)',
  'POST /alibaba/voice (dyvmsapi)',
  'POST /tencent/sms (SendSms 2021-01-11)',
  'POST /tencent/voice (VMS SendTtsVoice 2020-09-02)',
  'GET /sms?to=&since=',
  'GET /sms/latest?to=',
  'GET /sms/stats',
  'POST /sms/reply {from,text}',
  'GET /voice?to=',
  'DELETE /sms',
  'POST /sim/numbers {phone,sms?,voice?}',
  'POST /sim/providers/:carrier {mode,answerDelayMs?,takeDelayMs?}',
  'POST /sim/hooks {name,kind,secret,failTimes?}',
  'POST /hooks/:name',
  'POST /robots/dingtalk/:name',
  'POST /robots/wecom/:name',
  'GET /hooks?name=',
  'POST /sim/speakers {device,behaviour}',
  'GET /speakers?device=',
];

function readBody(req: IncomingMessage, limit = 20 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const json = <T>(s: string): T => JSON.parse(s || '{}') as T;

/**
 * The simulators' HTTP side: the providers' APIs (for our adapters), and the read-back and control API for
 * people and tests — SMS inboxes per number, handset replies, voice behaviour, hooks, loudspeakers, captured mail.
 */
export function simulatorHttp(parts: SimulatorParts): Server {
  const { mail, network, carrier, hooks, speakers } = parts;
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(status === 204 ? undefined : JSON.stringify(body));
    };
    void route(req, send).catch((e: Error) => send(400, { error: e.message }));
  });

  async function route(req: IncomingMessage, send: (status: number, body: unknown) => void): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    const to = q.get('to') ?? undefined;
    const since = Number(q.get('since') ?? 0) || 0;
    if (method === 'GET' && path === '/health') {
      return send(200, { status: 'ok' });
    }
    if (path === '/mail' || path === '/mail/latest') {
      if (method === 'DELETE') {
        mail.clear();
        return send(204, null);
      }
      const all = mail.list({ to, since: since || undefined });
      return path === '/mail'
        ? send(200, all)
        : all.length
          ? send(200, all[all.length - 1])
          : send(404, { error: 'no mail yet' });
    }
    if (network && carrier) {
      if (method === 'POST' && (path === '/alibaba/sms' || path === '/alibaba/voice')) {
        const body = await readBody(req);
        const params = Object.fromEntries(new URLSearchParams(body || url.search));
        if (params.Action !== 'QuerySendDetails') {
          await delay(network.takeDelay('alibaba'));
        }
        const a = carrier.alibaba(method, params, path.endsWith('voice') ? 'voice' : 'sms');
        await delay(network.answerDelay('alibaba'));
        return send(a.status, a.body);
      }
      if (method === 'POST' && (path === '/tencent/sms' || path === '/tencent/voice')) {
        const body = await readBody(req);
        if (req.headers['x-tc-action'] !== 'PullSmsSendStatusByPhoneNumber') {
          await delay(network.takeDelay('tencent'));
        }
        const a = carrier.tencent.answer(req.headers, body, path.endsWith('voice') ? 'voice' : 'sms');
        await delay(network.answerDelay('tencent'));
        return send(a.status, a.body);
      }
      if (method === 'GET' && path === '/sms') {
        return send(200, network.messages(to, since));
      }
      if (method === 'GET' && path === '/sms/latest') {
        const all = network.messages(to, since);
        return all.length ? send(200, all[all.length - 1]) : send(404, { error: 'no SMS yet' });
      }
      if (method === 'GET' && path === '/sms/stats') {
        return send(200, network.stats());
      }
      if (method === 'DELETE' && path === '/sms') {
        network.clear();
        return send(204, null);
      }
      if (method === 'POST' && path === '/sms/reply') {
        const b = json<{ from?: string; text?: string }>(await readBody(req));
        if (!b.from || typeof b.text !== 'string') {
          return send(400, { error: 'from and text are required' });
        }
        return send(202, { via: network.reply(b.from, b.text) });
      }
      if (method === 'GET' && path === '/voice') {
        return send(200, network.callsTo(to));
      }
      if (method === 'POST' && path === '/sim/numbers') {
        const b = json<{ phone?: string; sms?: SmsBehaviour; voice?: VoiceBehaviour }>(await readBody(req));
        if (!b.phone) {
          return send(400, { error: 'phone is required' });
        }
        network.setNumber(b.phone, b);
        return send(200, { ok: true });
      }
      const provider = /^\/sim\/providers\/(alibaba|tencent)$/.exec(path);
      if (method === 'POST' && provider) {
        const b = json<{ mode?: ProviderMode; answerDelayMs?: number; takeDelayMs?: number }>(await readBody(req));
        network.setMode(provider[1] as 'alibaba' | 'tencent', b.mode ?? 'ok');
        network.setAnswerDelay(provider[1] as 'alibaba' | 'tencent', Math.max(0, Number(b.answerDelayMs ?? 0)));
        network.setTakeDelay(provider[1] as 'alibaba' | 'tencent', Math.max(0, Number(b.takeDelayMs ?? 0)));
        return send(200, { ok: true });
      }
    }
    if (hooks) {
      const m = /^\/(hooks|robots\/dingtalk|robots\/wecom)\/([A-Za-z0-9_.-]+)$/.exec(path);
      if (method === 'POST' && m) {
        const body = await readBody(req);
        const a =
          m[1] === 'hooks'
            ? hooks.signed(m[2], req.headers, body)
            : m[1] === 'robots/dingtalk'
              ? hooks.dingtalk(m[2], q, body)
              : hooks.wecom(m[2], q, body);
        return send(a.status, a.body);
      }
      if (method === 'GET' && path === '/hooks') {
        return send(200, hooks.list(q.get('name') ?? undefined));
      }
      if (method === 'POST' && path === '/sim/hooks') {
        const b = json<{ name?: string; kind?: HookKind; secret?: string; failTimes?: number }>(await readBody(req));
        if (!b.name || !b.kind || !b.secret) {
          return send(400, { error: 'name, kind and secret are required' });
        }
        hooks.configure(b.name, { kind: b.kind, secret: b.secret, failTimes: b.failTimes });
        return send(200, { ok: true });
      }
    }
    if (speakers) {
      if (method === 'GET' && path === '/speakers') {
        return send(200, speakers.list(q.get('device') ?? undefined));
      }
      if (method === 'POST' && path === '/sim/speakers') {
        const b = json<{ device?: string; behaviour?: SpeakerBehaviour }>(await readBody(req));
        if (!b.device || !b.behaviour) {
          return send(400, { error: 'device and behaviour are required' });
        }
        speakers.set(b.device, b.behaviour);
        return send(200, { ok: true });
      }
    }
    send(404, { error: 'not found', routes: ROUTES });
  }
}
