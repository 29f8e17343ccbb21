import { LEVEL_ZH, levelName, reasonText } from '@app/config';
import type { CallReason } from '@app/database';
import { smsLength, SmsLength } from './sms-segments';
import { spoken, spokenTime, shortTime } from './spoken';
import { MessageTemplates, PickedTemplate, renderTemplate, TemplateVars } from './templates';

/** What a warning says to everyone (residents' public warnings). */
export interface PublicContent {
  hazard: string;
  level: number | null;
  event: string;
  headline: string;
  instruction: string;
  areaDesc: string;
  isDrill: boolean;
}

/** What a message to one person says, whatever the channel. */
export interface CallContent extends PublicContent {
  personName: string;
  requiresAck: boolean;
  deadlineAt: Date | null;
  reasons: CallReason[];
  /** The short link (GET /a/:code) in SMS; the full signed link elsewhere. */
  link: string;
}

export interface ComposedText {
  template: PickedTemplate;
  /** Every variable's final value (after shortening), as sent to carriers with registered templates. */
  params: TemplateVars;
  text: string;
}

export interface ComposedSms extends ComposedText {
  /** With the 【signature】 the carrier adds: what the handset shows and what is counted. */
  full: string;
  length: SmsLength;
}

function baseVars(c: PublicContent & { personName?: string }): TemplateVars {
  return {
    drill: c.isDrill ? '【演练】' : '',
    name: c.personName ?? '',
    headline: c.headline,
    event: c.event,
    level: LEVEL_ZH[levelName(c.level)],
    area: c.areaDesc,
    instruction: c.instruction ? `${c.instruction.replace(/[。；;.\s]+$/, '')}。` : '',
  };
}

function render(
  t: MessageTemplates,
  channel: 'sms' | 'voice' | 'robot',
  c: CallContent,
  deadline: string,
): ComposedText {
  const template = t.pick(channel, c.hazard, levelName(c.level));
  const vars: TemplateVars = {
    ...baseVars(c),
    deadline,
    link: c.link,
    reasons: c.reasons.map(reasonText).join('；'),
  };
  const phrase = t.phrases[`${c.requiresAck && c.deadlineAt ? 'ask' : 'notify'}_${channel}`] ?? '';
  vars.ask = renderTemplate(phrase, vars);
  return { template, params: vars, text: renderTemplate(template.text, vars) };
}

/** Cuts a value to `keep` characters with an ellipsis. */
const cut = (s: string, keep: number) =>
  keep <= 0 ? '' : s.length <= keep ? s : `${s.slice(0, Math.max(0, keep - 1))}…`;

/**
 * Fits a text into `maxSegments` SMS segments (signature included) by shortening the instruction, then the area,
 * then the headline and name; the link, the deadline and the way to answer are never cut.
 */
function fitSms(t: MessageTemplates, composed: ComposedText, signName: string, maxSegments: number): ComposedSms {
  const sign = `【${signName}】`;
  const params = { ...composed.params };
  const build = (): ComposedSms => {
    const text = renderTemplate(composed.template.text, params);
    const full = `${sign}${text}`;
    return { template: composed.template, params: { ...params }, text, full, length: smsLength(full) };
  };
  let out = build();
  for (const field of ['instruction', 'area', 'headline', 'name'] as const) {
    while (out.length.segments > maxSegments && (params[field] ?? '').length > 0) {
      const over = out.length.units - maxSegments * (out.length.encoding === 'UCS-2' ? 67 : 153);
      params[field] = cut(params[field] ?? '', (params[field] ?? '').length - Math.max(1, over) - 1);
      out = build();
    }
    if (out.length.segments <= maxSegments) {
      return out;
    }
  }
  return out;
}

export function composeCallSms(
  t: MessageTemplates,
  c: CallContent,
  signName: string,
  maxSegments: number,
  now: Date,
): ComposedSms {
  const deadline = c.deadlineAt ? shortTime(c.deadlineAt, now) : '';
  return fitSms(t, render(t, 'sms', c, deadline), signName, maxSegments);
}

/** Text to speech: no links, times as 点/分; the keypress prompt comes from the phrases. */
export function composeCallVoice(t: MessageTemplates, c: CallContent, now: Date): ComposedText {
  const composed = render(t, 'voice', { ...c, link: '' }, c.deadlineAt ? spokenTime(c.deadlineAt, now) : '');
  const params = Object.fromEntries(
    Object.entries(composed.params).map(([k, v]) => [k, spoken(v ?? '')]),
  ) as TemplateVars;
  return { template: composed.template, params, text: spoken(renderTemplate(composed.template.text, params)) };
}

export function composeCallRobot(t: MessageTemplates, c: CallContent, now: Date): ComposedText & { title: string } {
  const composed = render(t, 'robot', c, c.deadlineAt ? shortTime(c.deadlineAt, now) : '');
  return { ...composed, title: `${c.isDrill ? '【演练】' : ''}${c.headline}` };
}

/** Residents' area SMS: no link, no answer expected. */
export function composePublicSms(
  t: MessageTemplates,
  w: PublicContent,
  signName: string,
  maxSegments: number,
): ComposedSms {
  const template = t.pick('public_sms', w.hazard, levelName(w.level));
  const params = baseVars(w);
  return fitSms(t, { template, params, text: renderTemplate(template.text, params) }, signName, maxSegments);
}

/** What a notify-only notice says by SMS. */
export interface NoticeSmsContent {
  kind: string;
  subject: string;
  body: string;
  /** Our link in the body, which the SMS replaces by `shortLink`. */
  link: string | null;
  shortLink: string | null;
  isDrill: boolean;
}

/** The body's lines that add to the subject (not repeating it, without the link), as one run of sentences. */
export function noticeDetails(subject: string, body: string, link: string | null): string {
  return body
    .split('\n')
    .map((line) => (link ? line.replace(link, '') : line).trim())
    .filter((line) => line.length > 0 && !subject.includes(line))
    .map((line) => (/[。！？；：，、.!?;:,)）]$/.test(line) ? line : `${line}。`))
    .join('');
}

/**
 * A notice by SMS: the template of its kind (notice_sms.<kind>, else notice_sms.default), the subject and details
 * shortened to fit SMS_MAX_SEGMENTS like a call's SMS, the short link never cut.
 */
export function composeNoticeSms(
  t: MessageTemplates,
  n: NoticeSmsContent,
  signName: string,
  maxSegments: number,
): ComposedSms {
  const template = t.byKey('notice_sms', n.kind);
  const params: TemplateVars = {
    drill: n.isDrill ? '【演练】' : '',
    headline: n.subject.replace(/[。；;.\s]+$/, ''),
    instruction: noticeDetails(n.subject, n.body, n.link),
    link: n.shortLink ?? '',
  };
  return fitSms(t, { template, params, text: renderTemplate(template.text, params) }, signName, maxSegments);
}

/** What the loudspeakers say. */
export function composeBroadcast(t: MessageTemplates, w: PublicContent): ComposedText {
  const template = t.pick('broadcast', w.hazard, levelName(w.level));
  const params = baseVars(w);
  return { template, params, text: spoken(renderTemplate(template.text, params)) };
}
