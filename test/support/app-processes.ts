import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@app/common';

const ROOT = join(__dirname, '..', '..');

export interface AppProcess {
  name: string;
  child: ChildProcess;
  log: string;
}

/**
 * The apps as production runs them: each its own Node process from the build (`npm run build`), with its own pools
 * and workers, so that a test can kill one with SIGKILL mid-work and start it again. Output goes to a log file.
 */
export class AppProcesses {
  private readonly running = new Map<string, AppProcess>();
  /** Every log file written so far, of the apps running and of those killed. */
  readonly logs: string[] = [];

  constructor(readonly env: NodeJS.ProcessEnv) {}

  /** Starts an app under a name of its own (`dispatcher-2` for a second replica of the dispatcher). */
  start(name: string, program = name, env: NodeJS.ProcessEnv = {}): AppProcess {
    const log = join(tmpdir(), `jiaoying-fault-${name}-${process.pid}-${Date.now()}.log`);
    const out = createWriteStream(log);
    this.logs.push(log);
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', program, 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...this.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const app = { name, child, log };
    this.running.set(name, app);
    return app;
  }

  /** SIGKILL: no shutdown hook runs, in-flight work is cut wherever it is. */
  async kill(name: string): Promise<void> {
    const app = this.running.get(name);
    if (!app || app.child.exitCode !== null) {
      return;
    }
    const exited = new Promise((resolve) => app.child.once('exit', resolve));
    app.child.kill('SIGKILL');
    await exited;
    this.running.delete(name);
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      [...this.running.values()].map(async (a) => {
        if (a.child.exitCode === null) {
          const exited = new Promise((resolve) => a.child.once('exit', resolve));
          a.child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
          a.child.kill('SIGKILL');
        }
      }),
    );
    this.running.clear();
  }
}

/** Polls a URL until it answers 2xx. */
export async function waitHealthy(url: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    () =>
      fetch(url).then(
        (r) => r.ok,
        () => false,
      ),
    { timeoutMs, intervalMs: 250, what: `${url} healthy` },
  );
}
