// Float64 reference for shaders/matmul.wgsl: a linear layer with PyTorch's weight layout.
// What it does not do: the fused GELU (compose with reference/gelu.ts) or any tiling.

/** inp (M,K), weight (N,K), bias (N) | null → out (M,N) = inp · weightᵀ + bias. */
export function matmulForward(inp: ArrayLike<number>, weight: ArrayLike<number>, bias: ArrayLike<number> | null, M: number, K: number, N: number): Float64Array {
  if (inp.length !== M * K || weight.length !== N * K || (bias && bias.length !== N)) {
    throw new Error(`matmulForward: sizes inp ${inp.length}, weight ${weight.length}, bias ${bias?.length ?? '-'} do not fit M=${M} K=${K} N=${N}`);
  }
  const out = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = bias ? bias[n]! : 0;
      for (let k = 0; k < K; k++) s += inp[m * K + k]! * weight[n * K + k]!;
      out[m * N + n] = s;
    }
  }
  return out;
}

/**
 * Differentiates `out = inp · weightᵀ + bias`, given dout (M,N):
 * dinp (M,K) = dout · weight, dweight (N,K) = doutᵀ · inp, dbias (N) = Σ_m dout. Fresh arrays
 * (the GPU op accumulates; tests add these to whatever the grads held).
 */
export function matmulBackward(
  dout: ArrayLike<number>,
  inp: ArrayLike<number>,
  weight: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
): { dinp: Float64Array; dweight: Float64Array; dbias: Float64Array } {
  if (dout.length !== M * N || inp.length !== M * K || weight.length !== N * K) {
    throw new Error(`matmulBackward: sizes dout ${dout.length}, inp ${inp.length}, weight ${weight.length} do not fit M=${M} K=${K} N=${N}`);
  }
  const dinp = new Float64Array(M * K);
  const dweight = new Float64Array(N * K);
  const dbias = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const d = dout[m * N + n]!;
      dbias[n] += d;
      for (let k = 0; k < K; k++) {
        dinp[m * K + k] += d * weight[n * K + k]!;
        dweight[n * K + k] += d * inp[m * K + k]!;
      }
    }
  }
  return { dinp, dweight, dbias };
}
