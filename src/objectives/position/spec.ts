// Position prediction (MP3): the input carries no position embeddings; a seeded random subset of
// the tokens (a fraction 1 − η) serves as keys and values, and every token predicts its own
// position index. The encoder can only order the tokens by their content.
import type { ObjectiveSpec } from '../types.ts';

export const POSITION: ObjectiveSpec = {
  id: 'position',
  label: 'Position prediction (MP3)',
  tag: 'Position',
  description: 'No position embeddings; a random 1 − η of the tokens are keys and values; every token predicts its own position (cross-entropy over T classes).',
  source: 'Zhai et al. 2022, "Position Prediction as an Effective Pretraining Strategy" (MP3)',
  urlPrefix: 'pos',
  hfLayout: null,
  hfTag: 'position-prediction',
  describe: (p) => `position prediction (MP3): no position embeddings, ${Math.round(100 * (1 - Number(p.eta)))}% of the tokens kept as keys and values, each token classifies its own position.`,
  // MP3 drops 75% of the patches' keys in vision (unverified for text). Measured here (README,
  // bench/position): with bert-micro on Brown's characters η = 0.5 barely moves off the
  // per-token-id baseline in 1,500 steps (0.124 vs 0.121) while η = 0 reaches 0.148; on the
  // synthetic task η = 0 reaches 1.000 in 2,000 steps, η = 0.5 0.325. A row's order is not in
  // its bag of tokens; its length is, exactly only when every token is context. So the default
  // keeps them all.
  params: [{ key: 'eta', kind: 'number', label: 'η context drop', help: 'Share of the tokens removed from the keys and values (each token still predicts its position).', default: 0, min: 0, max: 0.95, flag: 'eta' }],
  maskingDefaults: {},
  metrics: [{ name: 'posError', label: 'Mean |predicted − true position|', short: 'pos err', unit: 'positions', better: 'lower', chart: 'pos-error', compare: true, status: true }],
  charts: [{ id: 'pos-error', title: 'Position error', explanation: 'Position prediction: the mean distance, in tokens, between each token’s predicted and true position on each batch.', yLabel: '|pred − true|' }],
  views: [{ id: 'position', title: 'Position prediction: true × predicted', module: 'view.tsx', export: 'PositionView' }],
};
