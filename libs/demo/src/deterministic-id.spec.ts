import { demoId, Prng, seedOf, uuidV5 } from './deterministic-id';

describe('deterministic ids', () => {
  it('computes standard UUID v5 (RFC 9562 example: DNS namespace, www.example.com)', () => {
    const dns = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    expect(uuidV5('www.example.com', dns)).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives the same id for the same key, different ids for different keys', () => {
    const a = demoId('person:village:500230107200:director');
    expect(demoId('person:village:500230107200:director')).toBe(a);
    expect(demoId('person:village:500230107200:secretary')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('derives positive 31-bit PostGIS seeds', () => {
    for (const key of ['a', 'b', 'outline-seeds:500230']) {
      const s = seedOf(key);
      expect(s).toBe(seedOf(key));
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThanOrEqual(0x7fffffff);
    }
  });
});

describe('Prng', () => {
  it('replays the same sequence for the same key and differs across keys', () => {
    const draw = (key: string) => {
      const rng = new Prng(key);
      return Array.from({ length: 20 }, () => rng.next());
    };
    expect(draw('names:500230107')).toEqual(draw('names:500230107'));
    expect(draw('names:500230107')).not.toEqual(draw('names:500230108'));
    expect(draw('x').every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('keeps int() within bounds and hits both ends', () => {
    const rng = new Prng('int');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = rng.int(2, 5);
      expect(v).toBeGreaterThanOrEqual(2);
      expect(v).toBeLessThanOrEqual(5);
      seen.add(v);
    }
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });

  it('samples distinct items and refuses to pick from an empty list', () => {
    const rng = new Prng('sample');
    const picked = rng.sample([1, 2, 3, 4, 5, 6], 4);
    expect(new Set(picked).size).toBe(4);
    expect(rng.sample([1, 2], 5)).toHaveLength(2);
    expect(() => rng.pick([])).toThrow();
  });
});
