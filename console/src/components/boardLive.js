import { BOARD_COUNTER_ZH } from '@words';

/**
 * The board's live line: one EventSource on /api/v1/command-board/events (the session cookie goes along). Changes
 * are gathered for `debounceMs` and handed on as one { warnings, towns, resync }; after a lost connection comes back,
 * a resync asks for everything again (events may have been missed meanwhile). No polling.
 */
export function openBoardLive({ onChange, onState, debounceMs = 400 }) {
  let source = null;
  let timer = null;
  let wasDown = false;
  let gathered = { warnings: new Set(), towns: new Set(), resync: false };
  const flush = () => {
    timer = null;
    const c = { warnings: [...gathered.warnings], towns: [...gathered.towns], resync: gathered.resync };
    gathered = { warnings: new Set(), towns: new Set(), resync: false };
    onChange(c);
  };
  const add = (c) => {
    c.warnings?.forEach((w) => gathered.warnings.add(w));
    c.towns?.forEach((t) => gathered.towns.add(t));
    gathered.resync ||= !!c.resync;
    timer ??= setTimeout(flush, debounceMs);
  };
  source = new EventSource('/api/v1/command-board/events');
  source.addEventListener('change', (e) => add(JSON.parse(e.data)));
  source.addEventListener('open', () => {
    onState('live');
    if (wasDown) {
      add({ resync: true });
    }
  });
  source.addEventListener('error', () => {
    wasDown = true;
    onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  });
  return () => {
    clearTimeout(timer);
    source.close();
  };
}

export const STATUS_COLOUR = { red: '#d81e06', amber: '#f0a020', green: '#2e9d57', idle: '#c0c4cc' };
export const STATUS_ZH = { red: '已超时', amber: '时限内', green: '已完成', idle: '无叫应' };

/** 12:34 left, or 1:02:03 */
export function left(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const p = (n) => String(n).padStart(2, '0');
  return s >= 3600
    ? `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}`
    : `${Math.floor(s / 60)}:${p(s % 60)}`;
}

/** [name, 中文] per board counter, in the board's order (from the table of words). */
export const COUNTERS = Object.entries(BOARD_COUNTER_ZH);
