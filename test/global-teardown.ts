/**
 * Once per run, after the last spec: names what a spec left running (a child process, a socket, a server), so a
 * leak is found from the log rather than by a run that never exits.
 */
export default function globalTeardown(): void {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const left = handles.map(describeHandle).filter((d): d is string => d !== undefined);
  if (left.length > 0) {
    process.stderr.write(
      `e2e: left running after the last spec (a spec did not close them):\n  ${left.join('\n  ')}\n`,
    );
  }
}

function describeHandle(h: unknown): string | undefined {
  const o = h as {
    constructor?: { name?: string };
    spawnfile?: string;
    spawnargs?: string[];
    pid?: number;
    remoteAddress?: string;
    remotePort?: number;
    address?: () => unknown;
    hasRef?: () => boolean;
    destroyed?: boolean;
  };
  if (typeof o.hasRef === 'function' && !o.hasRef()) {
    return undefined;
  }
  const kind = o.constructor?.name ?? typeof h;
  if (kind === 'ChildProcess') {
    return `child process ${o.pid}: ${(o.spawnargs ?? []).join(' ').slice(0, 160)}`;
  }
  if (kind === 'Socket' && o.remotePort !== undefined && !o.destroyed) {
    return `socket to ${o.remoteAddress}:${o.remotePort}`;
  }
  if (kind === 'Server' && typeof o.address === 'function') {
    return `server listening on ${JSON.stringify(o.address())}`;
  }
  return undefined;
}
