import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { validate as validateCron } from 'node-cron';

/** One CAP feed to poll (config/feeds.json). */
export interface FeedSourceConfig {
  /** Stable id: the key of its polling state; letters, digits and '-'. */
  id: string;
  name: string;
  /** The Atom/RSS index of CAP links. */
  url: string;
  /** node-cron pattern of the poll (six fields allowed). */
  cron: string;
  /** Longer than this without a new entry (or a successful poll) raises a heartbeat alarm. */
  maxSilenceMinutes: number;
  /** Only messages from these CAP senders are ingested; an empty list trusts every sender. */
  trustedSenders: string[];
  /** The duty desk that owns the source (admin unit code) and gets its heartbeat alarms. */
  regionCode: string;
  /** Where the heartbeat alarm is emailed (the county duty officer); optional. */
  dutyEmail?: string;
  enabled: boolean;
}

const DEFAULT_FEEDS_PATH = 'config/feeds.json';

/** Reads and checks config/feeds.json; throws a plain Error naming every bad field (config, not input). */
export function loadFeedConfig(path: string = DEFAULT_FEEDS_PATH): FeedSourceConfig[] {
  const file = resolve(process.cwd(), path);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read feed config ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return checkFeedConfig(data, file);
}

export function checkFeedConfig(data: unknown, where = 'feeds'): FeedSourceConfig[] {
  const sources = isObj(data) && Array.isArray(data.sources) ? (data.sources as unknown[]) : null;
  if (!sources) {
    throw new Error(`${where}: expected { "sources": [ … ] }`);
  }
  const problems: string[] = [];
  const need = (ok: boolean, problem: string): void => {
    if (!ok) {
      problems.push(problem);
    }
  };
  const out = sources.map((s, i): FeedSourceConfig => {
    const at = `sources[${i}]`;
    const o = isObj(s) ? s : {};
    const str = (k: string): string => {
      const v = o[k];
      return typeof v === 'string' ? v : '';
    };
    need(/^[a-z0-9-]{1,64}$/.test(str('id')), `${at}.id must be 1–64 of a-z, 0-9, -`);
    need(/^https?:\/\//.test(str('url')), `${at}.url must be an http(s) URL`);
    need(validateCron(str('cron')), `${at}.cron is not a node-cron pattern`);
    need(typeof o.maxSilenceMinutes === 'number' && o.maxSilenceMinutes > 0, `${at}.maxSilenceMinutes must be > 0`);
    need(/^\d{6,12}$/.test(str('regionCode')), `${at}.regionCode must be an admin unit code`);
    const senders = o.trustedSenders ?? [];
    need(Array.isArray(senders) && senders.every((x) => typeof x === 'string'), `${at}.trustedSenders must be strings`);
    return {
      id: str('id'),
      name: str('name') || str('id'),
      url: str('url'),
      cron: str('cron'),
      maxSilenceMinutes: Number(o.maxSilenceMinutes),
      trustedSenders: Array.isArray(senders) ? (senders as string[]) : [],
      regionCode: str('regionCode'),
      ...(str('dutyEmail') ? { dutyEmail: str('dutyEmail') } : {}),
      enabled: o.enabled !== false,
    };
  });
  const ids = out.map((s) => s.id);
  need(new Set(ids).size === ids.length, 'source ids must be unique');
  if (problems.length > 0) {
    throw new Error(`${where} is invalid: ${problems.join('; ')}`);
  }
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
