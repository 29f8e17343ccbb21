/** Notify-only messages (never waited for): who answered for your zone, 熔断 orders, their escalation and lift, a warning that matched nobody, 督办 of silent calls. */
const NOTICE_KINDS = [
  'answered_by_peer',
  'order',
  'order_escalated',
  'order_lifted',
  'warning_unmatched',
  'reply_confirmation',
  'reply_help',
  'escalation',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const NOTICE_CHANNELS = ['sms', 'email'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

/**
 * How a kind of notice reaches a person: `all` = every listed channel the person has (`sms+email`), `first` = the
 * first one they have, the next only when it is missing or refuses the message (`email/sms`).
 */
export interface NoticeChannelRule {
  mode: 'all' | 'first';
  channels: NoticeChannel[];
}

/**
 * Orders, their escalation (督办) and lift must be seen at once where people are: SMS, with the email as a copy.
 * Who answered is for information only: by email, by SMS only to those without one (in the field that is most
 * 网格员 and 巡查员), so it neither crowds the handset nor the carriers while the calls themselves go out.
 * A warning that matched nobody (无匹配对象) must reach the duty desk at once: SMS and email. The answer to an SMS
 * reply (已确认收到…, or how to answer) goes back by SMS, where the reply came from.
 */
export const DEFAULT_NOTICE_CHANNELS =
  'answered_by_peer:email/sms,order:sms+email,order_escalated:sms+email,order_lifted:sms+email,warning_unmatched:sms+email,reply_confirmation:sms,reply_help:sms,escalation:sms+email';

function parseRule(text: string): NoticeChannelRule | null {
  const mode = text.includes('+') ? 'all' : 'first';
  const channels = text.split(mode === 'all' ? '+' : '/');
  const known = channels.every((c) => (NOTICE_CHANNELS as readonly string[]).includes(c));
  return known && new Set(channels).size === channels.length ? { mode, channels: channels as NoticeChannel[] } : null;
}

/**
 * `kind:rule[,kind:rule…]` over the defaults (a kind left out keeps its default); rule = `sms+email`, `sms/email`,
 * `email/sms`, `sms` or `email`. Null when any part is not understood.
 */
export function parseNoticeChannels(value: string): Record<NoticeKind, NoticeChannelRule> | null {
  const rules = {} as Record<NoticeKind, NoticeChannelRule>;
  for (const part of `${DEFAULT_NOTICE_CHANNELS},${value}`.split(',').filter(Boolean)) {
    const [kind, text, extra] = part.trim().split(':');
    const rule = parseRule(text ?? '');
    if (!(NOTICE_KINDS as readonly string[]).includes(kind) || !rule || extra !== undefined) {
      return null;
    }
    rules[kind as NoticeKind] = rule;
  }
  return rules;
}

/** The channels a notice is written on, given the channels the person has a valid contact for. */
export function noticeChannelsFor(rule: NoticeChannelRule, usable: ReadonlySet<NoticeChannel>): NoticeChannel[] {
  const have = rule.channels.filter((c) => usable.has(c));
  return rule.mode === 'all' ? have : have.slice(0, 1);
}

/** After the notice failed for good on every channel in `tried`: the next channel of a `first` rule, if any. */
export function noticeFallbackFor(
  rule: NoticeChannelRule,
  usable: ReadonlySet<NoticeChannel>,
  tried: ReadonlySet<string>,
): NoticeChannel | null {
  return rule.mode === 'first' ? (rule.channels.find((c) => usable.has(c) && !tried.has(c)) ?? null) : null;
}
