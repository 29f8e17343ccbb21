import { validateXML, XMLValidationError } from 'xmllint-wasm';
import { CapIssue, capError } from './cap-issues';
import { NormalizedAlert } from './normalized-alert';
import { CAP11_XSD, CAP12_XSD } from './schemas';

export const CAP_NAMESPACES: Record<NormalizedAlert['capVersion'], string> = {
  '1.2': 'urn:oasis:names:tc:emergency:cap:1.2',
  '1.1': 'urn:oasis:names:tc:emergency:cap:1.1',
};
const SCHEMAS: Record<NormalizedAlert['capVersion'], string> = { '1.2': CAP12_XSD, '1.1': CAP11_XSD };

/**
 * Validates UTF-8 XML text against the OASIS schema of its CAP version (libxml2 in WebAssembly, no network).
 * Returns the violations as issues named by CAP path where the line tells us which element it was.
 */
export async function xsdIssues(
  xml: string,
  version: NormalizedAlert['capVersion'],
  lines: ReadonlyMap<string, number>,
): Promise<CapIssue[]> {
  let result;
  try {
    result = await validateXML({
      xml: { fileName: 'alert.xml', contents: xml },
      schema: { fileName: `cap${version.replace('.', '')}.xsd`, contents: SCHEMAS[version] },
      modifyArguments: (args) => ['--nonet', ...args],
    });
  } catch (e) {
    // xmllint exits 1 when libxml2 itself cannot parse the text; anything else is our failure, not the sender's.
    if (e instanceof Error && (e as Error & { code?: unknown }).code === 1) {
      throw capError('xml', `not well-formed XML: ${firstLine(e.message)}`, 'XML格式错误');
    }
    throw e;
  }
  return result.valid ? [] : result.errors.map((err) => toIssue(err, lines));
}

function toIssue(err: XMLValidationError, lines: ReadonlyMap<string, number>): CapIssue {
  const message = err.message
    .replace(/^Schemas validity error\s*:\s*/, '')
    .replace(/\{[^}]*\}/g, '')
    .trim();
  const local = /Element '([^']+)'/.exec(message)?.[1] ?? 'alert';
  const line = err.loc?.lineNumber;
  const problem = `${message.replace(/^Element '[^']+':\s*/, '')} (CAP schema)`;
  return {
    field: (line === undefined ? undefined : pathAt(lines, line, local)) ?? local,
    problem,
    hint: '报文不符合CAP标准格式',
    ...(line === undefined ? {} : { line }),
  };
}

/** The CAP path of the element named `local` that starts on `line`, if we read one there. */
function pathAt(lines: ReadonlyMap<string, number>, line: number, local: string): string | undefined {
  for (const [path, at] of lines) {
    if (at === line && path.replace(/\[\d+\]$/, '').split('.').pop() === local) {
      return path;
    }
  }
  return undefined;
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '') ?? s;
}
