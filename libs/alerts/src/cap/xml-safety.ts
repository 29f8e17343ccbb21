import { capError } from './cap-issues';

/** Any markup declaration: DOCTYPE, ENTITY, ELEMENT, ATTLIST, NOTATION. CAP needs none of them. */
const DECLARATION = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b/i;

/**
 * Refuses a DTD or entity declaration before any parser sees the text, so external entities (XXE),
 * parameter entities and entity expansion bombs never get a chance to load or expand anything.
 */
export function assertNoDtd(text: string): void {
  const match = DECLARATION.exec(text);
  if (match) {
    const line = text.slice(0, match.index).split('\n').length;
    throw capError(
      'xml',
      `<!${match[1].toUpperCase()}> declarations are not allowed (DTDs and entities are refused to prevent XXE)`,
      '报文不得包含DOCTYPE/实体声明',
      line,
    );
  }
}

/** Refuses a body larger than the caller allows, before decoding it. */
export function assertSize(body: Buffer, maxBytes: number): void {
  if (body.length > maxBytes) {
    throw capError('body', `the message is ${body.length} bytes; at most ${maxBytes} are accepted`, '报文过大');
  }
  if (body.length === 0) {
    throw capError('body', 'the message is empty', '报文为空');
  }
}
