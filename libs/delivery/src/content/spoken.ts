import { CHINA_OFFSET_MS } from '@app/common';
const DIGITS = '零一二三四五六七八九';

/** Beijing wall-clock parts of a date. */
export function beijing(d: Date): { month: number; day: number; hour: number; minute: number } {
  const t = new Date(d.getTime() + CHINA_OFFSET_MS);
  return { month: t.getUTCMonth() + 1, day: t.getUTCDate(), hour: t.getUTCHours(), minute: t.getUTCMinutes() };
}

/** "18:04", or "7月11日02:04" when not today in Beijing. */
export function shortTime(d: Date, now: Date): string {
  const b = beijing(d);
  const n = beijing(now);
  const hm = `${String(b.hour).padStart(2, '0')}:${String(b.minute).padStart(2, '0')}`;
  return b.month === n.month && b.day === n.day ? hm : `${b.month}月${b.day}日${hm}`;
}

/** "18点04分" (and "零点"), for text-to-speech. */
export function spokenTime(d: Date, now: Date): string {
  const b = beijing(d);
  const n = beijing(now);
  const day = b.month === n.month && b.day === n.day ? '' : `${b.month}月${b.day}日`;
  return `${day}${b.hour}点${b.minute === 0 ? '整' : `${String(b.minute).padStart(2, '0')}分`}`;
}

/**
 * Makes text fit to be spoken: no links, no brackets, clock times as 点/分, long digit runs (phone numbers,
 * codes) read digit by digit, and the drill mark said aloud.
 */
export function spoken(text: string): string {
  return text
    .replace(/https?:\/\/\S+/g, '')
    .replace(/【演练】/g, '演练，')
    .replace(/[【】]/g, '')
    .replace(/(\d{1,2}):(\d{2})/g, (_m, h: string, m: string) => `${Number(h)}点${m === '00' ? '整' : `${m}分`}`)
    .replace(/\d{5,}/g, (run) => [...run].map((c) => DIGITS[Number(c)]).join(' '))
    .replace(/\s*。\s*。/g, '。')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
