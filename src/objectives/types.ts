// What an objective is, as data (issue [J]): the setup panel's fields, the CLI's flags, the URL
// hash's keys and the config's validation are generated from it, so each says the same thing.
// Pure: no GPU, no model code (the model and train layers import this, never the reverse).
import type { ParamValue } from '../masking/registry.ts';


interface ParamBase {
  /** Key in the objective's parameter block, `config[objective.id]` (URL key `<urlPrefix>.<key>`). */
  key: string;
  /** Setup panel label. */
  label: string;
  /** One line: what it does (the panel's help, the CLI's usage line). */
  help: string;
}

export interface NumberParam extends ParamBase {
  kind: 'number';
  default: number;
  min: number;
  max: number;
  /** CLI flag taking the value, without the dashes. */
  flag: string;
}

export interface FlagParam extends ParamBase {
  kind: 'flag';
  default: boolean;
  /** CLI flags that set it true / false (either may be absent). */
  on?: string;
  off?: string;
  /** Usage lines of those flags (the help above says what the option is). */
  onHelp?: string;
  offHelp?: string;
}

export type ObjectiveParam = NumberParam | FlagParam;

export type ObjectiveParamValues = Record<string, number | boolean>;

/**
 * A view an objective adds to the playground beside the built-in ones: the named export of a
 * React module in its folder (`src/objectives/<id>/<module>`), loaded when first drawn.
 */
export interface ObjectiveView {
  id: string;
  /** The panel's heading. */
  title: string;
  module: string;
  export: string;
}

export type HfLayout = 'bert-mlm' | 'electra-pair';

export interface ObjectiveSpec {
  id: string;
  /** The objective selector's option. */
  label: string;
  /** In run labels, legends and the CLI's messages. */
  tag: string;
  description: string;
  source: string;
  /**
   * Its Hugging Face folder (export/hf.ts): BERT's fill-mask model at the root, or ELECTRA's
   * discriminator/ and generator/; null when there is no Hugging Face class for it.
   */
  hfLayout: HfLayout | null;
  /** Its Hugging Face model-card tag (the model family). */
  hfTag: string;
  /** The model card's "Objective:" sentence for these parameter values. */
  describe: (params: ObjectiveParamValues) => string;
  /** Its parameters, kept in the config under its id; [] = none. */
  params: readonly ObjectiveParam[];
  /** URL hash keys are `<urlPrefix>.<param key>`. */
  urlPrefix: string;
  /** Masking parameters this objective defaults to (the run's own still win). */
  maskingDefaults: Readonly<Record<string, ParamValue>>;
  /** Its own views in the playground (the built-in ones show every run). */
  views: readonly ObjectiveView[];
  /**
   * Its own metrics beside the loss and accuracy every run reports, as named blocks: the engine
   * reads them back after each logged step and eval (runtime.ts `metrics`), and the store's
   * series, the curves, the compare table, the CSVs, the status line and the CLI's log and JSON
   * are generated from these entries. [] = none.
   */
  metrics: readonly MetricSpec[];
  /**
   * Its model has a discriminator whose token-by-token guesses on held-out rows (the engine's
   * `snapshot`) are worth keeping: the CLI's JSON then carries them.
   */
  tokenSnapshot?: boolean;
  /** Charts of its metrics in Curves; each draws the metrics whose `chart` is its id. */
  charts: readonly MetricChart[];
  /** A line under its fields in the setup panel, from the model size and its parameters. */
  setupNote?: (model: ModelShape, params: ObjectiveParamValues) => SetupNote | null;
}

/** One metric of an objective: a number per logged step and per held-out eval. */
export interface MetricSpec {
  /** Key in the points' `values` and the CLI JSON; a column of the series, table and CSV. */
  name: string;
  /** Long name (chart legends, the model card). */
  label: string;
  /** Short name in the status line and the CLI's log lines. */
  short: string;
  /** share: 0–1, shown as a percentage; score: 0–1 (accuracy, AUC), shown with 3 digits; nats: a loss; positions: a distance in tokens. */
  unit: 'share' | 'score' | 'nats' | 'count' | 'positions';
  better: 'higher' | 'lower' | 'neither';
  /** The chart (MetricChart id) that draws it per step; absent = not charted. */
  chart?: string;
  /** In the compare table and its CSV (the last held-out eval's value). */
  compare?: boolean;
  /** In the status line under the run controls and the CLI's step lines. */
  status?: boolean;
}

export interface MetricChart {
  /** Also the chart's data-testid, `<id>-chart`. */
  id: string;
  title: string;
  explanation: string;
  yLabel: string;
}

/** The model sizes an objective's note may read. */
export interface ModelShape {
  L: number;
  C: number;
  NH: number;
  FFN: number;
}

export interface SetupNote {
  text: string;
  /** data-testid of the note, for the e2e tests. */
  testId?: string;
}
