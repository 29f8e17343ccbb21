import { CapIssue, capError } from './cap-issues';
import { NormalizedAlert } from './normalized-alert';
import { CAP11_XSD, CAP12_XSD } from './schemas';
import { XmllintWorker } from './xsd-worker';

export const CAP_NAMESPACES: Record<NormalizedAlert['capVersion'], string> = {
  '1.2': 'urn:oasis:names:tc:emergency:cap:1.2',
  '1.1': 'urn:oasis:names:tc:emergency:cap:1.1',
};
const SCHEMAS: Record<NormalizedAlert['capVersion'], string> = { '1.2': CAP12_XSD, '1.1': CAP11_XSD };

/** Shared by every parseCap call in this process; see XmllintWorker for why. */
const xmllint = new XmllintWorker();

/**
 * Validates UTF-8 XML text against the OASIS schema of its CAP version (libxml2 in WebAssembly, no network).
 * Returns the violations as issues named by CAP path where the line tells us which element it was.
 */
export async function xsdIssues(
  xml: string,
  version: NormalizedAlert['capVersion'],
  lines: ReadonlyMap<string, number>,
): Promise<CapIssue[]> {
  const schemaFile = `cap${version.replace('.', '')}.xsd`;
  const run = await xmllint.run(
    [
      { fileName: 'alert.xml', contents: xml },
      { fileName: schemaFile, contents: SCHEMAS[version] },
    ],
    ['--nonet', '--schema', schemaFile, '--noout', 'alert.xml'],
  );
  if (run.exitCode === 0) {
    return [];
  }
  if (run.exitCode === 1 || (run.exitCode === 4 && !/Schemas validity error/.test(run.stderr))) {
    // libxml2 itself could not parse the text (our own parser let it through): the sender's XML is at fault.
    throw capError('xml', `not well-formed XML: ${firstLine(run.stderr)}`, 'XML格式错误');
  }
  if (run.exitCode !== 3 && run.exitCode !== 4) {
    throw new Error(`xmllint failed (exit ${run.exitCode}): ${firstLine(run.stderr)}`);
  }
  return errorLines(run.stderr).map((err) => toIssue(err, lines));
}

interface XmllintError {
  message: string;
  lineNumber?: number;
}

/** `alert.xml:23: Schemas validity error : …` lines; the closing "fails to validate" line is dropped. */
function errorLines(stderr: string): XmllintError[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/ (fails to validate|validates)$/.test(l.trim()))
    .map((l) => {
      const m = /^alert\.xml:(\d+):\s*(.*)$/.exec(l);
      return m ? { message: m[2], lineNumber: Number(m[1]) } : { message: l };
    });
}

function toIssue(err: XmllintError, lines: ReadonlyMap<string, number>): CapIssue {
  const message = err.message
    .replace(/^Schemas validity error\s*:\s*/, '')
    .replace(/\{[^}]*\}/g, '')
    .trim();
  const local = /Element '([^']+)'/.exec(message)?.[1] ?? 'alert';
  const line = err.lineNumber;
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
    if (
      at === line &&
      path
        .replace(/\[\d+\]$/, '')
        .split('.')
        .pop() === local
    ) {
      return path;
    }
  }
  return undefined;
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '') ?? s;
}
