import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('runs items submitted together in one call and answers each submitter', async () => {
    const calls: number[][] = [];
    const b = new MicroBatcher<number, number>(
      (xs) => {
        calls.push(xs);
        return Promise.resolve(xs.map((x) => x * 10));
      },
      { maxItems: 3, maxWaitMs: 20 },
    );
    const results = await Promise.all([1, 2, 3, 4].map((x) => b.submit(x)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(calls).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects every submitter of a failed batch', async () => {
    const b = new MicroBatcher<number, number>(() => Promise.reject(new Error('db down')), {
      maxItems: 10,
      maxWaitMs: 1,
    });
    await expect(Promise.all([b.submit(1), b.submit(2)])).rejects.toThrow('db down');
  });
});
