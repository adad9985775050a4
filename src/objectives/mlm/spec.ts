// Masked language modelling (BERT): predict the original token at each masked position.
import type { ObjectiveSpec } from '../types.ts';

export const MLM: ObjectiveSpec = {
  id: 'mlm',
  label: 'MLM (BERT)',
  tag: 'MLM',
  description: 'Masked language modelling: the cross-entropy of the original token at each chosen position, averaged over them.',
  source: 'Devlin et al. 2019 (google-research/bert run_pretraining.py)',
  hfLayout: 'bert-mlm',
  hfTag: 'bert',
  describe: () => 'masked language modelling, the cross-entropy of the original token at each chosen position, averaged over them.',
  params: [],
  metrics: [],
  charts: [],
  views: [],
  urlPrefix: 'mlm',
  maskingDefaults: {},
};
