import * as iconv from 'iconv-lite';
import { capError } from './cap-issues';

/** Declared encodings we accept (lower-case) → iconv-lite name. GBK and GB2312 are read as declared. */
const ENCODINGS = new Map<string, string>([
  ['utf-8', 'utf8'],
  ['utf8', 'utf8'],
  ['us-ascii', 'utf8'],
  ['ascii', 'utf8'],
  ['iso-8859-1', 'latin1'],
  ['iso8859-1', 'latin1'],
  ['iso_8859-1', 'latin1'],
  ['latin1', 'latin1'],
  ['windows-1252', 'windows-1252'],
  ['gb18030', 'gb18030'],
  ['gbk', 'gbk'],
  ['cp936', 'gbk'],
  ['gb2312', 'gb2312'],
]);

const PROLOG = /^<\?xml\s[^?>]*\?>/;
const ENCODING_ATTR = /(\sencoding\s*=\s*)(["'])([^"']*)\2/;

/**
 * Turns the request bytes into text, honouring a BOM and the XML prolog's `encoding`.
 * The returned text's prolog says UTF-8 (same line layout), so a validator reading it as UTF-8 sees what we saw.
 */
export function decodeXmlBody(body: Buffer): string {
  let bytes = body;
  let fromBom: string | null = null;
  const startsWith = (...marker: number[]): boolean => marker.every((b, i) => bytes[i] === b);
  if (startsWith(0xef, 0xbb, 0xbf)) {
    fromBom = 'utf8';
    bytes = bytes.subarray(3);
  } else if (startsWith(0xff, 0xfe) || startsWith(0xfe, 0xff)) {
    fromBom = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    bytes = bytes.subarray(2);
  }

  // The prolog is ASCII in every encoding we take except UTF-16, which a BOM has already told us.
  const head = fromBom?.startsWith('utf-16') ? '' : bytes.subarray(0, 256).toString('latin1');
  const declared = PROLOG.exec(head)?.[0].match(ENCODING_ATTR)?.[3].trim().toLowerCase() ?? null;

  let codec: string;
  if (fromBom !== null) {
    codec = fromBom;
  } else if (declared === null) {
    codec = 'utf8'; // the XML default
  } else {
    const known = ENCODINGS.get(declared);
    if (known === undefined) {
      throw capError(
        'encoding',
        `unsupported encoding "${declared}"; use UTF-8, GB18030, GBK, GB2312 or ISO-8859-1`,
        '不支持的字符编码',
      );
    }
    codec = known;
  }
  if (fromBom === 'utf8' && declared !== null && ENCODINGS.get(declared) !== 'utf8') {
    throw capError(
      'encoding',
      `the byte-order mark says UTF-8 but the prolog declares "${declared}"`,
      '字符编码声明与BOM不一致',
    );
  }

  const text = decode(bytes, codec, declared ?? 'UTF-8');
  return text.replace(PROLOG, (prolog) => prolog.replace(ENCODING_ATTR, '$1$2UTF-8$2'));
}

function decode(bytes: Buffer, codec: string, label: string): string {
  if (codec === 'utf8') {
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw capError(
        'encoding',
        'the body is not valid UTF-8; declare its encoding in the XML prolog (e.g. encoding="GB18030")',
        '报文不是有效的UTF-8编码，请在XML声明中注明实际编码',
      );
    }
  }
  const text = iconv.decode(bytes, codec, { stripBOM: false });
  // iconv-lite replaces bad sequences with U+FFFD instead of failing; a genuine U+FFFD in CAP is not worth the doubt.
  if (text.includes('\uFFFD')) {
    throw capError('encoding', `the body contains bytes that are not valid ${label}`, '报文含有与声明编码不符的字节');
  }
  return text;
}
