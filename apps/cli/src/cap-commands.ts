import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { CapIssue, capFromJson, parseCap } from '@app/alerts';
import { DomainError } from '@app/common';

export type Print = (line: string) => void;

const CAP_EXTENSIONS = ['.xml', '.cap', '.json'];

/** The CAP files named: files as given, directories searched recursively for .xml, .cap and .json (sorted). */
export function capFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    if (!statSync(p).isDirectory()) {
      return [p];
    }
    return readdirSync(p, { recursive: true, encoding: 'utf8' })
      .filter((f) => CAP_EXTENSIONS.includes(extname(f).toLowerCase()))
      .sort()
      .map((f) => join(p, f))
      .filter((f) => statSync(f).isFile());
  });
}

/**
 * `jiaoying validate <file|dir>…`: each message through the same parser and rules as POST /api/v1/alerts, offline.
 * Prints ✓ or ✗ per file, with every issue (field, problem, line); returns 1 when any file is refused.
 */
export async function validateCommand(paths: string[], print: Print): Promise<number> {
  let failed = 0;
  const files = capFiles(paths);
  for (const file of files) {
    const body = readFileSync(file);
    try {
      const alert =
        extname(file).toLowerCase() === '.json' ? capFromJson(JSON.parse(body.toString('utf8'))) : await parseCap(body);
      const i = alert.info;
      print(
        `✓ ${file}: ${alert.msgType} ${alert.status} ${i.hazardType} ${i.colour ?? '-'} — ${i.headline || i.event}`,
      );
    } catch (e) {
      failed++;
      print(`✗ ${file}: ${e instanceof Error ? e.message : String(e)}`);
      const issues =
        e instanceof DomainError && Array.isArray(e.details?.issues) ? (e.details.issues as CapIssue[]) : [];
      for (const issue of issues) {
        const line = issue.line === undefined ? '' : ` (line ${issue.line})`;
        print(`    - ${issue.field}: ${issue.problem}${line}${issue.hint ? ` ${issue.hint}` : ''}`);
      }
    }
  }
  print(`${files.length - failed} valid, ${failed} invalid（有效 ${files.length - failed}，无效 ${failed}）`);
  return failed > 0 ? 1 : 0;
}

/**
 * `jiaoying send <file|dir>… --url <base> --key <api key>`: posts each message to a running service and prints
 * its answer (status and body); returns 1 when any was not accepted (2xx).
 */
export async function sendCommand(paths: string[], baseUrl: string, apiKey: string, print: Print): Promise<number> {
  let failed = 0;
  for (const file of capFiles(paths)) {
    const json = extname(file).toLowerCase() === '.json';
    let line: string;
    try {
      const res = await fetch(`${baseUrl.replace(/\/$/, '')}/api/v1/alerts`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': json ? 'application/json' : 'application/cap+xml',
        },
        body: readFileSync(file),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      failed += res.ok ? 0 : 1;
      line = `${res.ok ? '✓' : '✗'} ${file} → ${res.status} ${text}`;
    } catch (e) {
      failed++;
      line = `✗ ${file} → ${e instanceof Error ? e.message : String(e)}`;
    }
    print(line);
  }
  return failed > 0 ? 1 : 0;
}

/** `--name value` from an argument list, and the arguments that are not options. */
export function splitOptions(args: string[]): { positional: string[]; options: Record<string, string> } {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--')) {
      options[args[i].slice(2)] = args[i + 1] ?? '';
      i++;
    } else {
      positional.push(args[i]);
    }
  }
  return { positional, options };
}
