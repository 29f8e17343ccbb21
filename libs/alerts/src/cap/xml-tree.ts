import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { capError } from './cap-issues';

/** A namespace-resolved element: what the CAP reader needs and nothing more. */
export interface XmlElement {
  /** Namespace URI, or null when the element is in no namespace. */
  ns: string | null;
  local: string;
  /** Attributes other than namespace declarations, by their qualified name, entities decoded. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Direct text and CDATA, entities decoded, trimmed. */
  text: string;
  line: number;
}

// Entities are left alone by the parser (no DTD is ever read); we decode the five predefined ones and
// character references ourselves. Order is preserved so CDATA is kept apart from entity-decoded text.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: '#cdata',
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;
const PREDEFINED = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** Parses well-formed XML text (already checked for DTDs) into a namespace-resolved tree; returns the root. */
export function parseXmlTree(text: string): XmlElement {
  const check = XMLValidator.validate(text);
  if (check !== true) {
    throw capError('xml', `not well-formed XML: ${check.err.msg}`, 'XML格式错误', check.err.line);
  }
  const lines = lineStarts(text);
  let nodes: unknown;
  try {
    nodes = parser.parse(text);
  } catch (e) {
    // e.g. nesting deeper than the parser's limit (100), which no CAP message needs
    throw capError('xml', `cannot parse the XML: ${e instanceof Error ? e.message : String(e)}`, 'XML格式错误');
  }
  const scope = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);
  const roots = asArray(nodes).flatMap((n) => toElement(n, scope, lines));
  if (roots.length !== 1) {
    throw capError('xml', 'expected exactly one root element', 'XML须有且仅有一个根元素');
  }
  return roots[0];
}

function toElement(node: unknown, scope: ReadonlyMap<string, string>, lines: number[]): XmlElement[] {
  if (!isRecord(node)) {
    return [];
  }
  const qname = Object.keys(node).find((k) => k !== ':@' && k !== '#text' && k !== '#cdata');
  if (qname === undefined) {
    return [];
  }
  const start = (node as Record<symbol, unknown>)[META];
  const line = isRecord(start) && typeof start.startIndex === 'number' ? lineOf(lines, start.startIndex) : 0;

  const inner = new Map(scope);
  const attrs = node[':@'];
  const plain: Record<string, string> = {};
  if (isRecord(attrs)) {
    for (const [name, value] of Object.entries(attrs)) {
      if (typeof value !== 'string') {
        continue;
      }
      if (name === 'xmlns') {
        inner.set('', decodeEntities(value, line));
      } else if (name.startsWith('xmlns:')) {
        inner.set(name.slice(6), decodeEntities(value, line));
      } else {
        plain[name] = decodeEntities(value, line);
      }
    }
  }
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const local = colon < 0 ? qname : qname.slice(colon + 1);
  const ns = inner.get(prefix);
  if (ns === undefined && prefix !== '') {
    throw capError('xml', `namespace prefix "${prefix}" of <${qname}> is not declared`, 'XML命名空间前缀未声明', line);
  }

  const children: XmlElement[] = [];
  let text = '';
  for (const child of asArray(node[qname])) {
    if (!isRecord(child)) {
      continue;
    }
    if (typeof child['#text'] === 'string') {
      text += decodeEntities(child['#text'], line);
    } else if ('#cdata' in child) {
      text += asArray(child['#cdata'])
        .map((c) => (isRecord(c) && typeof c['#text'] === 'string' ? c['#text'] : ''))
        .join('');
    } else {
      children.push(...toElement(child, inner, lines));
    }
  }
  return [{ ns: ns === undefined || ns === '' ? null : ns, local, attrs: plain, children, text: text.trim(), line }];
}

/** Decodes &lt; &gt; &amp; &quot; &apos; and &#…; references; anything else is an undeclared entity. */
function decodeEntities(raw: string, line: number): string {
  if (!raw.includes('&')) {
    return raw;
  }
  return raw.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) {
      throw capError('xml', 'a bare "&" must be written as &amp;', 'XML中的&须写作&amp;', line);
    }
    const predefined = PREDEFINED.get(name);
    if (predefined !== undefined) {
      return predefined;
    }
    const code = /^#x[0-9a-f]+$/i.test(name)
      ? parseInt(name.slice(2), 16)
      : /^#[0-9]+$/.test(name)
        ? parseInt(name.slice(1), 10)
        : NaN;
    if (Number.isNaN(code)) {
      throw capError(
        'xml',
        `undeclared entity &${name}; (only the five XML entities are allowed)`,
        'XML含未定义实体',
        line,
      );
    }
    if (!isXmlChar(code)) {
      throw capError('xml', `character reference &${name}; is not a legal XML character`, 'XML字符引用非法', line);
    }
    return String.fromCodePoint(code);
  });
}

function isXmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) {
    starts.push(i + 1);
  }
  return starts;
}

/** 1-based line of a character offset (binary search over line starts). */
function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo + 1;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}
