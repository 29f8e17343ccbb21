import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { validateXML } from 'xmllint-wasm';
import { parseCap } from '@app/alerts';

/**
 * parseCap per message (safe XML, encoding, our rules, then the OASIS XSD in a reused xmllint worker) against the
 * per-call xmllint-wasm validateXML the parser used before (a new worker and a wasm compile per message).
 * Run: npm run build && node dist/bench/cap-parse.bench.js   (loopback only, < 30 s)
 */
const ROOT = join(__dirname, '..', '..');
const red = readFileSync(join(ROOT, 'test/fixtures/cap/zh/rainstorm-red-shizhi.xml'));
const xsd = readFileSync(join(ROOT, 'test/fixtures/cap/cap12.xsd'), 'utf8');
const badRule = Buffer.from(red.toString('utf8').replace('<urgency>Immediate</urgency>', '<urgency/>'));

async function timeIt(label: string, n: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up (starts the worker, compiles the wasm)
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await fn();
  }
  const ms = (performance.now() - t0) / n;
  console.log(`${label.padEnd(58)} ${ms.toFixed(2)} ms/message`);
  return ms;
}

async function main(): Promise<void> {
  const now = new Date('2024-07-11T02:00:00+08:00');
  const before = await timeIt('xmllint-wasm validateXML per call (before)', 30, () =>
    validateXML({
      xml: { fileName: 'alert.xml', contents: red.toString('utf8') },
      schema: { fileName: 'cap12.xsd', contents: xsd },
    }),
  );
  const after = await timeIt('parseCap, valid message (reused XSD worker)', 300, () => parseCap(red, { now }));
  await timeIt('parseCap, refused by our rules before the XSD', 300, () =>
    parseCap(badRule, { now }).catch(() => null),
  );
  console.log(`XSD step: ${(before / after).toFixed(1)}× faster per valid message`);
}

void main();
