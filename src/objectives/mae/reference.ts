// Float64 reference of the whole MAE step (forward + backward), composed from the per-op
// references in the order of facebookresearch/mae models_mae.py: patchify, patch embedding,
// + positions, keep the visible patches, torch.cat([CLS], x), the pre-LN encoder, decoder_embed,
// unshuffle with the mask token, + decoder positions, the pre-LN decoder, decoder_pred on x[:, 1:],
// masked MSE. [CLS] is prepended and dropped by plain copies here (the GPU model uses the
// unshuffle and gather ops for them), so the test also checks those two tricks.
// For the gradient check only (tiny inputs). Not here: the optimizer, masks (given).
import { matmulBackward, matmulForward } from '../../reference/matmul.ts';
import { maeUnshuffleBackward, maeUnshuffleForward, visibleGatherBackward, visibleGatherForward } from '../../reference/mae-tokens.ts';
import { mseBackward, mseForward } from '../../reference/mse.ts';
import { Grads, paramLookup } from '../../reference/passes.ts';
import { patchify } from '../../reference/patchify.ts';
import { prelnLayersBackward, prelnLayersForward } from '../../reference/preln-layers.ts';
import type { MaeShape } from './layout.ts';
import { sincosPosEmbed2d } from './pos-embed.ts';

export interface MaeRefBatch {
  /** (B,H,W,Cimg) pixels. */
  images: ArrayLike<number>;
  /** (B,L) 1 = hidden; (B,K) the visible patch indices. */
  mask: Uint32Array;
  keep: Uint32Array;
}

export interface MaeRefStep {
  loss: number;
  /** (B,L) per-patch mean squared error, and the prediction (B,L,PD). */
  losses: Float64Array;
  pred: Float64Array;
  grads: Map<string, Float64Array>;
}

/** x (B,R,D) + table (R,D) broadcast over B. */
function addRows(x: Float64Array, table: Float64Array): Float64Array {
  return x.map((v, i) => v + table[i % table.length]!);
}

export function maeForwardBackward(params: Map<string, Float64Array>, s: MaeShape, eps: number, normPixLoss: boolean, batch: MaeRefBatch): MaeRefStep {
  const { B, L, K, PD, E, Ed } = s;
  const p = paramLookup(params);
  const { mask, keep } = batch;
  const loss = { normPixLoss };

  // ---- encoder ----
  const patches = patchify(batch.images, { B, H: s.H, W: s.W, Cimg: s.Cimg, p: s.p });
  const tokens = addRows(matmulForward(patches, p('mae.patch.w'), p('mae.patch.b'), B * L, PD, E), sincosPosEmbed2d(E, s.gh, s.gw));
  const visible = visibleGatherForward(tokens, keep, B, L, K, E);
  const encX = new Float64Array(B * (1 + K) * E);
  for (let b = 0; b < B; b++) {
    encX.set(p('mae.cls'), b * (1 + K) * E); // its position embedding is zero
    encX.set(visible.subarray(b * K * E, (b + 1) * K * E), (b * (1 + K) + 1) * E);
  }
  const enc = prelnLayersForward(params, 'enc.', s.enc, B, 1 + K, encX, new Float64Array(B * (1 + K)).fill(1), eps, true);

  // ---- decoder ----
  const decEmb = matmulForward(enc.out, p('dec.embed.w'), p('dec.embed.b'), B * (1 + K), E, Ed);
  const unshuffle = { B, L, K, C: Ed, cls: 1 as const };
  const decX = addRows(maeUnshuffleForward(decEmb, keep, p('dec.mask_token'), unshuffle), sincosPosEmbed2d(Ed, s.gh, s.gw, 1));
  const dec = prelnLayersForward(params, 'dec.', s.dec, B, 1 + L, decX, new Float64Array(B * (1 + L)).fill(1), eps, true);
  const rows = new Float64Array(B * L * Ed);
  for (let b = 0; b < B; b++) rows.set(dec.out.subarray((b * (1 + L) + 1) * Ed, (b + 1) * (1 + L) * Ed), b * L * Ed);
  const pred = matmulForward(rows, p('dec.pred.w'), p('dec.pred.b'), B * L, Ed, PD);
  const fwd = mseForward(pred, patches, mask, B, L, PD, loss);

  // ---- backward ----
  const g = new Grads();
  const addAll = (m: Map<string, Float64Array>) => m.forEach((v, k) => g.add(k, v));
  const dpred = mseBackward(pred, patches, mask, B, L, PD, loss);
  const head = matmulBackward(dpred, rows, p('dec.pred.w'), B * L, Ed, PD);
  g.add('dec.pred.w', head.dweight);
  g.add('dec.pred.b', head.dbias);
  const dDecOut = new Float64Array(B * (1 + L) * Ed); // [CLS] row: no gradient
  for (let b = 0; b < B; b++) dDecOut.set(head.dinp.subarray(b * L * Ed, (b + 1) * L * Ed), (b * (1 + L) + 1) * Ed);
  const decB = prelnLayersBackward(params, 'dec.', s.dec, B, 1 + L, dec.cache, dDecOut);
  addAll(decB.grads);
  const un = maeUnshuffleBackward(decB.dx, keep, unshuffle); // positions are constants
  g.add('dec.mask_token', un.dmaskToken);
  const emb = matmulBackward(un.denc, enc.out, p('dec.embed.w'), B * (1 + K), E, Ed);
  g.add('dec.embed.w', emb.dweight);
  g.add('dec.embed.b', emb.dbias);
  const encB = prelnLayersBackward(params, 'enc.', s.enc, B, 1 + K, enc.cache, emb.dinp);
  addAll(encB.grads);
  const dcls = new Float64Array(E);
  const dvisible = new Float64Array(B * K * E);
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < E; c++) dcls[c]! += encB.dx[b * (1 + K) * E + c]!;
    dvisible.set(encB.dx.subarray((b * (1 + K) + 1) * E, (b + 1) * (1 + K) * E), b * K * E);
  }
  g.add('mae.cls', dcls);
  const dtokens = visibleGatherBackward(dvisible, keep, B, L, K, E);
  const pe = matmulBackward(dtokens, patches, p('mae.patch.w'), B * L, PD, E);
  g.add('mae.patch.w', pe.dweight);
  g.add('mae.patch.b', pe.dbias);
  return { loss: fwd.loss, losses: fwd.losses, pred, grads: g.map };
}
