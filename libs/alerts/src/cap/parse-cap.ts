import { CapIssue, capError, IssueList, issuesError } from './cap-issues';
import { CapOptions, contextFrom } from './cap-options';
import { decodeXmlBody } from './decode-xml-body';
import { normalizeRawCap } from './normalize-cap';
import { NormalizedAlert } from './normalized-alert';
import { rawCapFromXml } from './raw-cap-from-xml';
import { assertNoDtd, assertSize } from './xml-safety';
import { XmlElement, parseXmlTree } from './xml-tree';
import { CAP_NAMESPACES, xsdIssues } from './xsd-validate';

export interface ParseCapOptions extends CapOptions {
  /** Largest body accepted, in bytes (default 1 MiB). */
  maxBytes?: number;
}

export const DEFAULT_MAX_CAP_BYTES = 1024 * 1024;

/**
 * A CAP 1.2 (or 1.1) XML message → NormalizedAlert. In order: size, DTD/entity refusal, encoding, well-formedness,
 * namespace, our rules (with CAP paths and lines), then the OASIS XSD. Throws ValidationError naming the field.
 */
export async function parseCap(body: Buffer, opts: ParseCapOptions = {}): Promise<NormalizedAlert> {
  assertSize(body, opts.maxBytes ?? DEFAULT_MAX_CAP_BYTES);
  assertNoDtd(body.toString('latin1')); // before decoding: nothing is looked at while a DTD is present
  const text = decodeXmlBody(body);
  assertNoDtd(text); // and after, for encodings where the bytes hid it
  const root = parseXmlTree(text);
  const version = capVersionOf(root);
  const { raw, lines } = rawCapFromXml(root);

  const issues = new IssueList();
  const alert = normalizeRawCap(raw, version, contextFrom(opts), issues);
  if (alert === null || !issues.isEmpty) {
    throw issuesError(issues.items.map((i) => withLine(i, lines)));
  }
  const schemaIssues = await xsdIssues(text, version, lines);
  if (schemaIssues.length > 0) {
    throw issuesError(schemaIssues);
  }
  return alert;
}

function capVersionOf(root: XmlElement): NormalizedAlert['capVersion'] {
  const version = (Object.keys(CAP_NAMESPACES) as Array<NormalizedAlert['capVersion']>).find(
    (v) => CAP_NAMESPACES[v] === root.ns,
  );
  if (version === undefined) {
    const ns = root.ns === null ? 'no namespace' : `namespace "${root.ns}"`;
    throw capError(
      'xmlns',
      `<${root.local}> is in ${ns}; expected ${CAP_NAMESPACES['1.2']} (or ${CAP_NAMESPACES['1.1']})`,
      '仅接受CAP 1.2/1.1命名空间',
      root.line,
    );
  }
  if (root.local !== 'alert') {
    throw capError('alert', `the root element is <${root.local}>, expected <alert>`, '根元素须为alert', root.line);
  }
  return version;
}

/** Adds the line of the nearest element we read on the issue's path (info[0].area[1].polygon[0] → … → info[0]). */
function withLine(issue: CapIssue, lines: ReadonlyMap<string, number>): CapIssue {
  for (let path = issue.field; path !== ''; path = path.replace(/(\.[^.]*|\[\d+\])$/, '')) {
    const line = lines.get(path);
    if (line !== undefined) {
      return { ...issue, line };
    }
    if (!/(\.[^.]*|\[\d+\])$/.test(path)) {
      break;
    }
  }
  return issue;
}
