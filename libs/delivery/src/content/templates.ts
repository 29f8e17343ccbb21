import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `notice_sms`: notify-only notices by SMS, keyed by notice kind (answered_by_peer, order …) instead of hazard/level. */
export type TemplateChannel = 'sms' | 'voice' | 'robot' | 'public_sms' | 'broadcast' | 'notice_sms';
const TEMPLATE_CHANNELS: TemplateChannel[] = ['sms', 'voice', 'robot', 'public_sms', 'broadcast', 'notice_sms'];
const TEMPLATE_VARIABLES = [
  'drill',
  'name',
  'headline',
  'event',
  'level',
  'area',
  'instruction',
  'deadline',
  'link',
  'reasons',
  'ask',
] as const;
export type TemplateVars = Partial<Record<(typeof TEMPLATE_VARIABLES)[number], string>>;
export type Carrier = 'alibaba' | 'tencent';

interface TemplateFile {
  phrases?: Record<string, string>;
  carrierCodes?: Record<string, Partial<Record<Carrier, string>>>;
  [channel: string]: unknown;
}

export interface PickedTemplate {
  channel: TemplateChannel;
  key: string;
  text: string;
}

const PLACEHOLDER = /\$\{([a-z_]+)\}/g;

/** `${name}` → value; unknown or missing variables become ''. */
export function renderTemplate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => vars[name] ?? '');
}

/** Tencent templates are positional ({1}, {2} …): the same text, variables numbered by first appearance. */
export function toPositional(text: string): { text: string; names: string[] } {
  const names: string[] = [];
  const positional = text.replace(PLACEHOLDER, (_m, name: string) => {
    if (!names.includes(name)) {
      names.push(name);
    }
    return `{${names.indexOf(name) + 1}}`;
  });
  return { text: positional, names };
}

/**
 * zh-CN templates per channel × hazard × level, from every *.json file in a folder (later files override keys),
 * checked once at load: every channel needs a default and only known variables may appear.
 */
export class MessageTemplates {
  private constructor(
    private readonly channels: Record<TemplateChannel, Record<string, string>>,
    readonly phrases: Record<string, string>,
    private readonly codes: Record<string, Partial<Record<Carrier, string>>>,
  ) {}

  static load(dir: string): MessageTemplates {
    const folder = resolve(dir);
    const files = readdirSync(folder)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const channels = Object.fromEntries(TEMPLATE_CHANNELS.map((c) => [c, {}])) as Record<
      TemplateChannel,
      Record<string, string>
    >;
    const phrases: Record<string, string> = {};
    const codes: Record<string, Partial<Record<Carrier, string>>> = {};
    for (const file of files) {
      const data = JSON.parse(readFileSync(join(folder, file), 'utf8')) as TemplateFile;
      Object.assign(phrases, data.phrases ?? {});
      for (const [k, v] of Object.entries(data.carrierCodes ?? {})) {
        if (!k.startsWith('$')) {
          codes[k] = v;
        }
      }
      for (const channel of TEMPLATE_CHANNELS) {
        Object.assign(channels[channel], (data[channel] as Record<string, string> | undefined) ?? {});
      }
    }
    const problems: string[] = [];
    for (const channel of TEMPLATE_CHANNELS) {
      if (!channels[channel].default) {
        problems.push(`${channel}.default is missing`);
      }
    }
    const texts = [
      ...TEMPLATE_CHANNELS.flatMap((c) => Object.entries(channels[c]).map(([k, t]) => [`${c}.${k}`, t] as const)),
      ...Object.entries(phrases).map(([k, t]) => [`phrases.${k}`, t] as const),
    ];
    for (const [where, text] of texts) {
      for (const [, name] of text.matchAll(PLACEHOLDER)) {
        if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) {
          problems.push(`${where} uses unknown variable \${${name}}`);
        }
      }
    }
    if (problems.length > 0) {
      throw new Error(`message templates in ${folder}: ${problems.join('; ')}`);
    }
    return new MessageTemplates(channels, phrases, codes);
  }

  /** The most specific template: <hazard>.<level>, <hazard>, <level>, default. */
  pick(channel: TemplateChannel, hazard: string, level: string): PickedTemplate {
    const table = this.channels[channel];
    const key = [`${hazard}.${level}`, hazard, level, 'default'].find((k) => table[k] !== undefined) as string;
    return { channel, key, text: table[key] };
  }

  /** A template by its key, as frozen in a plan; the channel's default if the key was removed since. */
  byKey(channel: TemplateChannel, key: string): PickedTemplate {
    const table = this.channels[channel];
    return table[key] !== undefined
      ? { channel, key, text: table[key] }
      : { channel, key: 'default', text: table.default };
  }

  /** The carrier's registered code for a template; a derived one when none is configured (the simulator's). */
  carrierCode(t: PickedTemplate, carrier: Carrier): string {
    return this.codes[`${t.channel}.${t.key}`]?.[carrier] ?? `JY_${t.channel}_${t.key}`.replace(/[^A-Za-z0-9_]/g, '_');
  }

  /** Every template with its derived carrier code, for the simulator's registry of "registered" templates. */
  registry(carrier: Carrier): Map<string, string> {
    const out = new Map<string, string>();
    for (const channel of TEMPLATE_CHANNELS) {
      for (const [key, text] of Object.entries(this.channels[channel])) {
        out.set(this.carrierCode({ channel, key, text }, carrier), text);
      }
    }
    return out;
  }
}
