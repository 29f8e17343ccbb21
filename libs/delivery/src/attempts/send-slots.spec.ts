import { SendSlots } from './send-slots';

describe('SendSlots', () => {
  it('runs at most its size at once and every piece of work in turn', async () => {
    const slots = new SendSlots(2);
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const done = Array.from({ length: 5 }, (_, i) =>
      slots.run(async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((r) => releases.push(r));
        running -= 1;
        return i;
      }),
    );
    while (releases.length < 5) {
      await new Promise((r) => setImmediate(r));
      releases.splice(0).forEach((r) => r());
      if (releases.length === 0 && running === 0) {
        break;
      }
    }
    await expect(Promise.all(done)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('frees the slot of work that failed', async () => {
    const slots = new SendSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    await expect(slots.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
