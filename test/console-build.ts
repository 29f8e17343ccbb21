import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The browser tests drive the built duty desk: build it when missing or older than its sources (a no-op otherwise). */
export function buildConsole(): void {
  execFileSync('bash', [join(__dirname, '..', 'scripts', 'console-build.sh')], { stdio: 'inherit' });
}
