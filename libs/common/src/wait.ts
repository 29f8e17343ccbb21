/** Polls `probe` until it returns a truthy value or the time runs out; never loops forever. */
export async function waitFor<T>(
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  {
    timeoutMs = 10_000,
    intervalMs = 50,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Waits for `work` at most `ms`. Past that the work goes on by itself (its failure is handed to `onLate`), and the
 * caller carries on: for enqueues after a commit, whose backstop is the sweep, so that a Redis away never holds up an
 * answer. Returns whether the work finished in time.
 */
export async function settleWithin(
  work: Promise<unknown>,
  ms: number,
  onLate: (error: unknown) => void,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const done = work.then(
    () => 'done' as const,
    (e: unknown) => {
      onLate(e);
      return 'failed' as const;
    },
  );
  try {
    const first = await Promise.race([done, late]);
    if (first === 'late') {
      onLate(new Error(`not finished within ${ms} ms`));
    }
    return first === 'done';
  } finally {
    clearTimeout(timer);
  }
}
