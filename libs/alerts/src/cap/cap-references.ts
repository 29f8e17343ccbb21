import { CapReference } from './normalized-alert';
import { checkPlausible, Parsed, parseCapDateTime, SENT_AHEAD_MS } from './cap-time';

/** CAP `references`: space-separated "sender,identifier,sent" triples, each sent a zoned CAP date-time. */
export function parseReferences(text: string, now: Date): Parsed<CapReference[]> {
  const triples = text.split(/\s+/).filter((t) => t !== '');
  if (triples.length === 0) {
    return { ok: false, problem: 'is empty; give "sender,identifier,sent" of each earlier message' };
  }
  const refs: CapReference[] = [];
  for (const triple of triples) {
    const parts = triple.split(',');
    if (parts.length !== 3 || parts.some((p) => p === '')) {
      return { ok: false, problem: `"${triple}" is not a "sender,identifier,sent" triple` };
    }
    const [sender, identifier, sentText] = parts;
    const sent = parseCapDateTime(sentText);
    if (!sent.ok) {
      return { ok: false, problem: `in "${triple}": ${sent.problem}` };
    }
    const absurd = checkPlausible(sent.value, now, SENT_AHEAD_MS);
    if (absurd !== null) {
      return { ok: false, problem: `in "${triple}": ${absurd}` };
    }
    refs.push({ sender, identifier, sent: sent.value });
  }
  return { ok: true, value: refs };
}
