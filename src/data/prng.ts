// Counter-based PRNG, the CPU twin of src/shaders/prng.wgsl (bit-identical: u32 arithmetic via
// Math.imul and >>> 0). Every draw is a pure function of its coordinates, so masking on the GPU
// and its CPU reference agree exactly, and any step can be replayed without replaying the rest.
// Rng wraps it as a sequential generator (seed, stream, counter) for init and data shuffling.

export function mix32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

export function hash4(a: number, b: number, c: number, d: number): number {
  let h = mix32((a ^ 0x9e3779b9) >>> 0);
  h = mix32((h ^ b ^ 0x85ebca6b) >>> 0);
  h = mix32((h ^ c ^ 0xc2b2ae35) >>> 0);
  h = mix32((h ^ d ^ 0x27d4eb2f) >>> 0);
  return h;
}

/** Uniform in [0, 1) from the top 24 bits: exactly representable in f32 and f64. */
export function toUnit(h: number): number {
  return (h >>> 8) * (1 / 16777216);
}

/** A sequential generator over hash4(seed, stream, counter, 0). Seeded, replayable, no globals. */
export class Rng {
  private counter = 0;
  constructor(
    readonly seed: number,
    readonly stream = 0,
  ) {}

  u32(): number {
    return hash4(this.seed >>> 0, this.stream >>> 0, this.counter++ >>> 0, 0);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return toUnit(this.u32());
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller on two uniforms; 1 − u keeps log away from 0). */
  normal(): number {
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fills a new Float32Array of length n with uniforms in [lo, hi). */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}
