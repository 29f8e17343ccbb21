import { loadEnv } from './load-env';
import { NoticeChannel, noticeChannelsFor, noticeFallbackFor, parseNoticeChannels } from './notice-channels';

const has = (...channels: NoticeChannel[]) => new Set(channels);

describe('notice channels', () => {
  const rules = parseNoticeChannels('') as NonNullable<ReturnType<typeof parseNoticeChannels>>;

  it('sends orders, their escalation and lift by SMS with the email as a copy', () => {
    for (const kind of ['order', 'order_escalated', 'order_lifted'] as const) {
      expect(noticeChannelsFor(rules[kind], has('sms', 'email'))).toEqual(['sms', 'email']);
      expect(noticeChannelsFor(rules[kind], has('email'))).toEqual(['email']);
      expect(noticeChannelsFor(rules[kind], has('sms'))).toEqual(['sms']);
    }
  });

  it('sends who answered by email, by SMS only to people without one', () => {
    expect(noticeChannelsFor(rules.answered_by_peer, has('sms', 'email'))).toEqual(['email']);
    expect(noticeChannelsFor(rules.answered_by_peer, has('sms'))).toEqual(['sms']);
  });

  it('writes nothing for a person with neither contact (the caller records the gap)', () => {
    expect(noticeChannelsFor(rules.order, has())).toEqual([]);
    expect(noticeChannelsFor(rules.answered_by_peer, has())).toEqual([]);
  });

  it('falls back to the next channel of a first-of rule only, once per channel', () => {
    expect(noticeFallbackFor(rules.answered_by_peer, has('sms', 'email'), new Set(['email']))).toBe('sms');
    expect(noticeFallbackFor(rules.answered_by_peer, has('email'), new Set(['email']))).toBeNull();
    expect(noticeFallbackFor(rules.answered_by_peer, has('sms', 'email'), new Set(['email', 'sms']))).toBeNull();
    expect(noticeFallbackFor(rules.order, has('sms', 'email'), new Set(['sms']))).toBeNull();
  });

  it('overrides only the kinds named, over the defaults', () => {
    const custom = parseNoticeChannels('answered_by_peer:sms/email,order_lifted:email');
    expect(custom?.answered_by_peer).toEqual({ mode: 'first', channels: ['sms', 'email'] });
    expect(custom?.order_lifted).toEqual({ mode: 'first', channels: ['email'] });
    expect(custom?.order).toEqual({ mode: 'all', channels: ['sms', 'email'] });
    expect(noticeChannelsFor(custom!.answered_by_peer, has('sms', 'email'))).toEqual(['sms']);
  });

  it('refuses unknown kinds, unknown or repeated channels and mixed rules, naming the variable only', () => {
    for (const bad of [
      'evacuation:sms',
      'order:fax',
      'order:sms+sms',
      'order:sms+email/sms',
      'order',
      'order:sms:x',
      'order:',
    ]) {
      expect(parseNoticeChannels(bad)).toBeNull();
    }
    expect(() => loadEnv({ NOTICE_CHANNELS: 'order:pigeon' })).toThrow(/NOTICE_CHANNELS/);
    expect(loadEnv({}).notices.channels.order).toEqual({ mode: 'all', channels: ['sms', 'email'] });
  });
});
