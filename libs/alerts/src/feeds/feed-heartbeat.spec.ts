import { checkFeedConfig } from './feed-config';
import { silenceOf } from './feed-heartbeat.service';

describe('silenceOf (heartbeat rule)', () => {
  const source = { name: '丰都县气象台', maxSilenceMinutes: 60 };
  const t0 = new Date('2024-07-11T00:00:00Z');
  const later = (min: number) => new Date(t0.getTime() + min * 60_000);
  const state = { createdAt: t0, lastSuccessAt: null, lastNewEntryAt: null, lastError: null };

  it('is quiet within the limit', () => {
    expect(silenceOf(source, { ...state, lastSuccessAt: later(50), lastNewEntryAt: later(10) }, later(60))).toBeNull();
  });

  it('says failing when no poll succeeded for longer than the limit, with the last error', () => {
    const s = silenceOf(source, { ...state, lastError: 'HTTP 503' }, later(61));
    expect(s).toEqual({ kind: 'failing', message: expect.stringContaining('61分钟无法获取') as string });
    expect(s?.message).toContain('HTTP 503');
  });

  it('says silent when polls succeed but nothing new arrived for longer than the limit', () => {
    const s = silenceOf(source, { ...state, lastSuccessAt: later(120), lastNewEntryAt: later(30) }, later(121));
    expect(s).toMatchObject({ kind: 'silent', message: expect.stringContaining('91分钟没有新消息') as string });
  });
});

describe('checkFeedConfig', () => {
  const good = {
    id: 'fengdu-qxt',
    name: '丰都',
    url: 'https://a.example.cn/rss',
    cron: '*/2 * * * *',
    maxSilenceMinutes: 60,
    regionCode: '500230',
  };

  it('fills defaults', () => {
    expect(checkFeedConfig({ sources: [good] })).toEqual([{ ...good, trustedSenders: [], enabled: true }]);
  });

  it('names every bad field', () => {
    expect(() =>
      checkFeedConfig({
        sources: [{ ...good, id: 'Bad Id', cron: 'often', url: 'ftp://x', maxSilenceMinutes: 0 }, good, good],
      }),
    ).toThrow(/sources\[0\]\.id .*sources\[0\]\.url .*sources\[0\]\.cron .*sources\[0\]\.maxSilenceMinutes.*unique/);
    expect(() => checkFeedConfig([])).toThrow(/expected \{ "sources"/);
  });
});
