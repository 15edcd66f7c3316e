/**
 * Seeded randomness. Every random thing in lenses (weights, shuffles, splits, noise, attack
 * starts) draws from an {@link Rng} made from an explicit seed, so a notebook run twice with the
 * same seed prints the same numbers on the same backend.
 *
 * The generator is xoshiro128** seeded through splitmix32: fast, 32-bit, well tested, and easy
 * to reproduce in any language.
 *
 * @module
 */

/** splitmix32 step: turns any 32-bit state into a well-mixed 32-bit output. */
function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a hash of a string label, used to derive independent child streams. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/**
 * A seeded pseudo-random generator.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const order = rng.permutation(10);     // same order every run
 * const init = rng.fork("weights");      // an independent stream for another purpose
 * ```
 */
export class Rng {
  readonly seed: number;
  #s: Uint32Array;
  #spareNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new TypeError(`Rng seed must be a finite number, got ${seed}`);
    }
    this.seed = seed;
    // Fold the full double into 32 bits so seeds like 1 and 2**32 + 1 still differ.
    let state = (Math.floor(seed) ^ Math.floor(seed / 2 ** 32)) | 0;
    this.#s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(state);
      state = next;
      this.#s[i] = out;
    }
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform float in [0, 1). */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`Rng.int needs a positive integer bound, got ${n}`);
    }
    // Rejection sampling removes the modulo bias.
    const limit = Math.floor(4294967296 / n) * n;
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal sample (Box-Muller, the spare value is kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== undefined) {
      const v = this.#spareNormal;
      this.#spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
  shuffle<A extends Int32Array | Uint32Array | Float32Array>(items: A): A;
  shuffle<T>(items: T[] | Int32Array | Uint32Array | Float32Array) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /**
   * An independent generator derived from this one's seed and a label. Forking does not
   * advance this generator, so adding a new consumer does not change the others' streams.
   */
  fork(label: string | number): Rng {
    const h = hashLabel(`${this.seed}/${label}`);
    return new Rng(h);
  }

  /**
   * A 31-bit integer seed for tfjs ops that take a `seed` argument (randomNormal, ...); never 0,
   * which tfjs reads as "no seed" and replaces with `Math.random()`.
   */
  tfSeed(): number {
    return (this.nextUint32() >>> 1) || 1;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
