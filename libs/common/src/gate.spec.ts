import { Gate } from './gate';

describe('Gate', () => {
  it('runs at most its limit at once, the rest in the order they came, and frees a slot when a task fails', async () => {
    const gate = new Gate(2);
    let now = 0;
    let most = 0;
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const task = (i: number) =>
      gate.run(async () => {
        started.push(i);
        most = Math.max(most, ++now);
        await new Promise<void>((resolve) => releases.push(resolve));
        now--;
        if (i === 1) {
          throw new Error('task 1 failed');
        }
        return i;
      });
    const results = [0, 1, 2, 3, 4].map((i) => task(i).catch((e: Error) => e.message));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    // Finish whatever runs, one at a time, until all five are done.
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(results)).toEqual([0, 'task 1 failed', 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });
});
