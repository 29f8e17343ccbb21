import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@app/common';
import { parseFeedIndex } from './feed-index';

const FEEDS = join(__dirname, '../../../../test/fixtures/feeds');
const read = (name: string) => readFileSync(join(FEEDS, name), 'utf8');

describe('parseFeedIndex', () => {
  it('reads an Atom index: the CAP-typed link of each entry, resolved against the feed URL', () => {
    const index = parseFeedIndex(read('cq-warnings.atom.xml'), 'http://127.0.0.1:8080/cq/atom.xml');
    expect(index.format).toBe('atom');
    expect(index.entries.map((e) => [e.key, e.capUrl])).toEqual([
      [
        'urn:example:cn:alerts:50023041600000_20240711083000_0',
        'http://127.0.0.1:8080/cq/cap/rainstorm-orange-update.xml',
      ],
      [
        'urn:example:cn:alerts:50023041600000_20240711015200_0',
        'http://127.0.0.1:8080/cq/cap/rainstorm-red-shizhi.xml',
      ],
      ['urn:example:cn:alerts:broken-link', 'http://127.0.0.1:8080/cq/cap/does-not-exist.xml'],
    ]);
    expect(index.entries[1]).toMatchObject({
      title: '丰都县气象台发布暴雨红色预警信号',
      updated: new Date('2024-07-10T17:52:00Z'),
    });
  });

  it('reads an RSS index: the CAP enclosure, else an .xml item link; guid is the identity', () => {
    const index = parseFeedIndex(
      read('fengdu-signals.rss.xml').replace(/PORT/g, '9000'),
      'http://127.0.0.1:9000/rss.xml',
    );
    expect(index.format).toBe('rss');
    expect(index.entries.map((e) => [e.key, e.capUrl])).toEqual([
      ['50023041600000_20240710200000_0', 'http://127.0.0.1:9000/cap/rainstorm-yellow-polygon.xml'],
      ['50011341600000_drill_0', 'http://127.0.0.1:9000/cap/geo-hazard-exercise.xml'],
      ['broken-message', 'http://127.0.0.1:9000/cap/google-invalid.cap'],
    ]);
    expect(index.entries[0].updated).toEqual(new Date('2024-07-10T12:00:00Z'));
  });

  it('skips entries without a usable http(s) link and falls back to the link as identity', () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom">
      <entry><title>no link</title></entry>
      <entry><link href="file:///etc/passwd"/></entry>
      <entry><link href="https://a.example.cn/x.cap"/></entry></feed>`;
    expect(parseFeedIndex(atom, 'https://a.example.cn/feed').entries).toEqual([
      { key: 'https://a.example.cn/x.cap', capUrl: 'https://a.example.cn/x.cap', title: '', updated: null },
    ]);
  });

  it('refuses a DOCTYPE, XML that is not a feed, and broken XML, naming the problem', () => {
    const refuse = (text: string) => {
      try {
        parseFeedIndex(text, 'http://x/');
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error('accepted');
    };
    expect(refuse('<!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]><feed/>').details?.field).toBe('xml');
    expect(refuse('<html><body/></html>').details).toMatchObject({ field: 'feed' });
    expect(refuse('<rss version="2.0"></rss>').message).toMatch(/no <channel>/);
    expect(refuse('<feed xmlns="http://www.w3.org/2005/Atom"><entry></feed>').details?.field).toBe('xml');
  });
});
