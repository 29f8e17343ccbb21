import { createHash } from 'node:crypto';

/** Namespace of every demo id (a fixed, arbitrary uuid). */
export const DEMO_NAMESPACE = '6b1f3c2e-4d5a-4e8f-9a0b-7c6d5e4f3a21';

/** UUID v5 (RFC 9562): SHA-1 of namespace + name, so the same key always gives the same id. */
const DEMO_NAMESPACE_BYTES = uuidBytes(DEMO_NAMESPACE);

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

export function uuidV5(name: string, namespace: string = DEMO_NAMESPACE): string {
  const ns = namespace === DEMO_NAMESPACE ? DEMO_NAMESPACE_BYTES : uuidBytes(namespace);
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Id of a demo row from a stable key such as `person:village:500230107200:director`. */
export function demoId(key: string): string {
  return uuidV5(key);
}

/** A positive 31-bit integer from a key: seeds for PostGIS ST_GeneratePoints (which wants seed > 0). */
export function seedOf(key: string): number {
  const n = createHash('sha1').update(key, 'utf8').digest().readUInt32BE(0) & 0x7fffffff;
  return n === 0 ? 1 : n;
}

/**
 * Small seeded PRNG (sfc32, seeded from SHA-1 of a key). One per scope (e.g. per town), so adding
 * rows in one town does not reshuffle every other town.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(key: string) {
    const h = createHash('sha1').update(key, 'utf8').digest();
    this.a = h.readUInt32BE(0);
    this.b = h.readUInt32BE(4);
    this.c = h.readUInt32BE(8);
    this.d = h.readUInt32BE(12);
    for (let i = 0; i < 12; i++) {
      this.next();
    }
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new Error('Prng.pick: empty list');
    }
    return items[Math.floor(this.next() * items.length)];
  }

  /** k distinct items in a random order (k is capped at the list length). */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, Math.min(k, copy.length));
  }
}
