import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** What xmllint printed for one run: exit 0 = valid, 3/4 = invalid (errors on stderr), anything else = failure. */
export interface XmllintRun {
  exitCode: number;
  stderr: string;
}

interface Request {
  jyXsd: true;
  id: number;
  inputFiles: Array<{ fileName: string; contents: string }>;
  args: string[];
}

const PACKAGE_DIR = dirname(require.resolve('xmllint-wasm'));
const TIMEOUT_MS = 10_000;

// Runs in the worker: the wasm module is compiled once; each request gets a fresh instance and memory, so one
// message can never see another's state. xmllint-node.js also installs its own handler, which ignores our tag.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const Module = require(${JSON.stringify(join(PACKAGE_DIR, 'xmllint-node.js'))});
const wasm = new WebAssembly.Module(require('node:fs').readFileSync(${JSON.stringify(join(PACKAGE_DIR, 'xmllint.wasm'))}));
parentPort.on('message', (msg) => {
  if (!msg || msg.jyXsd !== true) return;
  let stderr = '';
  let done = false;
  const finish = (exitCode) => {
    if (!done) { done = true; parentPort.postMessage({ jyXsd: true, id: msg.id, exitCode, stderr }); }
  };
  Module({
    inputFiles: msg.inputFiles,
    arguments: msg.args,
    print: () => {},
    printErr: (t) => { stderr += t + '\\n'; },
    onExit: finish,
    onAbort: (reason) => { stderr += 'WASM Abort: ' + reason + '\\n'; finish(-1); },
    wasmMemory: new WebAssembly.Memory({ initial: 256, maximum: 512 }),
    instantiateWasm: (imports, receive) => { receive(new WebAssembly.Instance(wasm, imports), wasm); return {}; },
  }).catch((e) => { stderr += String(e) + '\\n'; finish(-2); });
});`;

/**
 * One long-lived xmllint (libxml2 in WebAssembly) worker thread. xmllint-wasm's validateXML starts a worker and
 * compiles the wasm for every call (~45 ms); reusing both brings a CAP validation to ~5 ms. The worker holds the
 * process open only while a validation is pending, and is restarted after a crash or a timeout.
 */
export class XmllintWorker {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (r: XmllintRun) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();

  run(inputFiles: Request['inputFiles'], args: string[]): Promise<XmllintRun> {
    const worker = this.ensureWorker();
    const id = ++this.nextId;
    return new Promise<XmllintRun>((resolve, reject) => {
      const timer = setTimeout(
        () => this.failAll(new Error(`xmllint did not answer within ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      );
      this.pending.set(id, { resolve, reject, timer });
      worker.ref();
      worker.postMessage({ jyXsd: true, id, inputFiles, args } satisfies Request);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) {
      return this.worker;
    }
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (m: { jyXsd?: boolean; id: number; exitCode: number; stderr: string }) => {
      const entry = m?.jyXsd === true ? this.pending.get(m.id) : undefined;
      if (!entry) {
        return;
      }
      clearTimeout(entry.timer);
      this.pending.delete(m.id);
      if (this.pending.size === 0) {
        worker.unref();
      }
      entry.resolve({ exitCode: m.exitCode, stderr: m.stderr });
    });
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', () => {
      if (this.worker === worker) {
        this.failAll(new Error('xmllint worker exited'));
      }
    });
    this.worker = worker;
    return worker;
  }

  /** Every pending validation fails; the next one starts a fresh worker. */
  private failAll(error: Error): void {
    const worker = this.worker;
    this.worker = null;
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(error);
      this.pending.delete(id);
    }
    void worker?.terminate();
  }
}
