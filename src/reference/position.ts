// CPU twins of shaders/position.wgsl (position prediction, MP3): the context mask bit-identical
// (the same hashes and integer arithmetic), the position error in float64; and the per-token-id
// baseline the objective is judged against.
import { hash4 } from '../data/prng.ts';
import { etaQ } from '../model/ops/position.ts';

/**
 * real (B,T) 1 = real token → ctx (B,T): per row, the k = max(1, n − ⌊n·η⌋) real tokens with the
 * smallest hash4(seed, step, b, t) (ties: lower t), n = the row's real tokens; 0 elsewhere.
 */
export function positionContextReference(real: ArrayLike<number>, B: number, T: number, seed: number, step: number, eta: number): Uint32Array {
  const q = etaQ(eta);
  const ctx = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    const keys: { t: number; key: number }[] = [];
    for (let t = 0; t < T; t++) if (real[b * T + t]) keys.push({ t, key: hash4(seed >>> 0, step >>> 0, b, t) });
    const n = keys.length;
    // n·q < 2³² for n ≤ 65536: the shader's u32 product is exact.
    const k = Math.max(1, n - Math.floor((n * q) / 65536));
    keys.sort((x, y) => x.key - y.key || x.t - y.t);
    for (let i = 0; i < Math.min(k, n); i++) ctx[b * T + keys[i]!.t] = 1;
  }
  return ctx;
}

/** logits (M,N), targets (M), weights (M) → [Σ w·|argmax − target|, Σ w] (argmax ties: lowest index). */
export function positionErrorReference(logits: ArrayLike<number>, targets: ArrayLike<number>, weights: ArrayLike<number>, M: number, N: number): [number, number] {
  let err = 0;
  let w = 0;
  for (let r = 0; r < M; r++) {
    const wr = weights[r]!;
    if (wr === 0) continue;
    let best = 0;
    for (let c = 1; c < N; c++) if (logits[r * N + c]! > logits[r * N + best]!) best = c;
    err += wr * Math.abs(best - targets[r]!);
    w += wr;
  }
  return [err, w];
}
