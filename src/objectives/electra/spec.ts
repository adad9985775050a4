// ELECTRA (spec B2/B3): a small generator fills the masked positions with samples and the
// discriminator tells, at every position, whether the token was replaced. google-research/electra
// names in brackets.
import type { ObjectiveSpec } from '../types.ts';
import { generatorDims } from './dims.ts';

export const ELECTRA: ObjectiveSpec = {
  id: 'electra',
  label: 'ELECTRA (replaced-token detection)',
  tag: 'ELECTRA',
  description: 'Replaced-token detection: L = L_MLM(generator) + λ · BCE(discriminator), the discriminator judging every token.',
  source: 'Clark et al. 2020 (google-research/electra)',
  urlPrefix: 'e',
  hfLayout: 'electra-pair',
  hfTag: 'electra',
  describe: (e) => {
    const options = [
      e.uniformGenerator ? 'uniform generator (random replacements, no generator)' : `generator samples at temperature ${e.temperature}`,
      e.disallowCorrect ? 'never sampling the original token' : null,
      e.maskedOnly ? 'discriminator loss on masked positions only (ELECTRA-15%)' : 'discriminator loss on every real token',
    ].filter(Boolean);
    return `ELECTRA replaced-token detection, L = L_MLM(generator) + λ · BCE(discriminator) with λ = ${e.discWeight}; ${options.join(', ')}.`;
  },
  // 85% [MASK], 0% random, 15% kept (spec B2) unless the run says otherwise.
  maskingDefaults: { maskProb: 0.85, randomProb: 0 },
  params: [
    { key: 'discWeight', kind: 'number', label: 'λ disc weight', help: 'Weight of the discriminator loss against the generator’s MLM loss [disc_weight].', default: 50, min: 0, max: 1000, flag: 'disc-weight' },
    { key: 'genFraction', kind: 'number', label: 'Generator fraction', help: 'Generator hidden size as a fraction of the discriminator’s (1/4 in ELECTRA-Small) [generator_hidden_size].', default: 0.25, min: 1 / 16, max: 1, flag: 'gen-fraction' },
    { key: 'temperature', kind: 'number', label: 'Temperature', help: 'Sampling temperature of the generator [temperature].', default: 1, min: 0.05, max: 10, flag: 'temperature' },
    { key: 'tiedEmbeddings', kind: 'flag', label: 'Tied embeddings', help: 'Generator and discriminator share token, position and type embeddings [!untied_generator_embeddings].', default: true, off: 'untied-embeddings', offHelp: 'generator and discriminator get their own embeddings' },
    { key: 'uniformGenerator', kind: 'flag', label: 'Uniform generator', help: 'Replacements drawn uniformly, no generator compute [uniform_generator].', default: false, on: 'uniform-generator', onHelp: 'replacements drawn uniformly, no generator (RTS)' },
    { key: 'disallowCorrect', kind: 'flag', label: 'Disallow correct', help: 'Never sample the original token [disallow_correct].', default: false, on: 'disallow-correct', off: 'allow-correct', onHelp: 'never sample the original token (the electra presets do)', offHelp: 'let the generator sample the original token (Google’s default)' },
    { key: 'maskedOnly', kind: 'flag', label: 'ELECTRA-15%', help: 'The ablation: discriminator loss on the masked positions only.', default: false, on: 'electra-15', onHelp: 'discriminator loss on masked positions only (the ablation)' },
  ],
  metrics: [
    { name: 'genLoss', label: 'Generator MLM loss', short: 'G', unit: 'nats', better: 'lower', status: true },
    { name: 'genAccuracy', label: 'Generator accuracy', short: 'G acc', unit: 'score', better: 'higher' },
    { name: 'sampledAccuracy', label: 'Sampled-token accuracy (masked tokens whose sample is the original)', short: 'sampled acc', unit: 'score', better: 'neither' },
    { name: 'discLoss', label: 'Discriminator loss', short: 'D', unit: 'nats', better: 'lower', status: true },
    { name: 'discAccuracy', label: 'Discriminator accuracy', short: 'D acc', unit: 'score', better: 'higher' },
    { name: 'precision', label: 'Discriminator precision', short: 'precision', unit: 'score', better: 'higher' },
    { name: 'recall', label: 'Discriminator recall', short: 'recall', unit: 'score', better: 'higher' },
    { name: 'auc', label: 'Discriminator AUC', short: 'AUC', unit: 'score', better: 'higher', chart: 'auc', compare: true, status: true },
    { name: 'replacedOfMasked', label: 'Replaced share of masked tokens', short: 'replaced', unit: 'share', better: 'neither', status: true },
    { name: 'replacedShare', label: 'Replaced share of all tokens', short: 'replaced of all', unit: 'share', better: 'neither' },
  ],
  tokenSnapshot: true,
  charts: [
    { id: 'auc', title: 'Discriminator AUC', explanation: 'ELECTRA: how well the discriminator ranks replaced tokens above original ones on each batch (0.5 = guessing, 1 = perfect).', yLabel: 'AUC' },
  ],
  views: [{ id: 'electra', title: 'ELECTRA: replaced-token detection', module: 'view.tsx', export: 'ElectraView' }],
  setupNote: (model, p) => {
    if (p.uniformGenerator) return { text: 'Uniform generator: replacements are drawn uniformly, no generator is trained.' };
    const g = generatorDims(model, Number(p.genFraction));
    return { testId: 'generator-dims', text: `Generator: ${g.L} layers, hidden ${g.C}, ${g.NH} head${g.NH === 1 ? '' : 's'}, FFN ${g.FFN}.` };
  },
};
