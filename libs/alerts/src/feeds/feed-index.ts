import { ValidationError } from '@app/common';
import { assertNoDtd } from '../cap/xml-safety';
import { XmlElement, parseXmlTree } from '../cap/xml-tree';

/** One message listed by a feed index. */
export interface FeedEntry {
  /** Stable identity: Atom `id`, RSS `guid`, else the CAP link. */
  key: string;
  capUrl: string;
  title: string;
  updated: Date | null;
}

export interface FeedIndex {
  format: 'atom' | 'rss';
  entries: FeedEntry[];
}

const ATOM = 'http://www.w3.org/2005/Atom';

/**
 * Reads an Atom or RSS 2.0 index of CAP messages (the way 12379-style and NWS/Meteoalarm feeds publish them).
 * The CAP link of an entry is the link/enclosure typed as CAP, else one ending in .xml/.cap, else the first link;
 * relative links are resolved against the feed's URL. No DTD is read (same rules as CAP).
 */
export function parseFeedIndex(text: string, feedUrl: string): FeedIndex {
  assertNoDtd(text);
  const root = parseXmlTree(text);
  if (root.local === 'feed' && root.ns === ATOM) {
    return { format: 'atom', entries: children(root, 'entry').flatMap((e) => atomEntry(e, feedUrl)) };
  }
  if (root.local === 'rss') {
    const channel = children(root, 'channel')[0];
    if (!channel) {
      throw feedError('rss has no <channel>');
    }
    return { format: 'rss', entries: children(channel, 'item').flatMap((i) => rssItem(i, feedUrl)) };
  }
  throw feedError(`<${root.local}> is neither an Atom <feed> nor an RSS <rss> document`);
}

function atomEntry(entry: XmlElement, base: string): FeedEntry[] {
  const links = children(entry, 'link').map((l) => ({
    href: l.attrs.href ?? '',
    type: l.attrs.type ?? '',
    rel: l.attrs.rel ?? 'alternate',
  }));
  const content = children(entry, 'content')[0];
  if (content?.attrs.src) {
    links.push({ href: content.attrs.src, type: content.attrs.type ?? '', rel: 'content' });
  }
  const href = pickCapLink(links.filter((l) => l.href !== '' && l.rel !== 'self'));
  return entryOf(
    href,
    base,
    text(entry, 'id'),
    text(entry, 'title'),
    text(entry, 'updated') ?? text(entry, 'published'),
  );
}

function rssItem(item: XmlElement, base: string): FeedEntry[] {
  const links = children(item, 'enclosure').map((e) => ({ href: e.attrs.url ?? '', type: e.attrs.type ?? '' }));
  const link = text(item, 'link');
  if (link) {
    links.push({ href: link, type: '' });
  }
  const href = pickCapLink(links.filter((l) => l.href !== ''));
  return entryOf(href, base, text(item, 'guid'), text(item, 'title'), text(item, 'pubDate'));
}

function pickCapLink(links: Array<{ href: string; type: string }>): string | undefined {
  return (
    links.find((l) => /cap/i.test(l.type))?.href ??
    links.find((l) => /\.(xml|cap)(\?|$)/i.test(l.href))?.href ??
    links[0]?.href
  );
}

function entryOf(
  href: string | undefined,
  base: string,
  id: string | undefined,
  title: string | undefined,
  when: string | undefined,
): FeedEntry[] {
  if (href === undefined) {
    return []; // an entry without a link carries nothing we can fetch
  }
  let capUrl: string;
  try {
    capUrl = new URL(href, base).toString();
  } catch {
    return [];
  }
  if (!/^https?:$/.test(new URL(capUrl).protocol)) {
    return [];
  }
  const date = when ? new Date(when) : null;
  return [
    {
      key: (id || capUrl).slice(0, 500),
      capUrl,
      title: title ?? '',
      updated: date && !Number.isNaN(date.getTime()) ? date : null,
    },
  ];
}

function children(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}

function text(el: XmlElement, local: string): string | undefined {
  const t = children(el, local)[0]?.text;
  return t === undefined || t === '' ? undefined : t;
}

function feedError(problem: string): ValidationError {
  return new ValidationError(`not a feed index: ${problem}（订阅源格式错误）`, { field: 'feed', problem });
}
