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
  /** A line under its fields in the setup panel, from the model size and its parameters. */
  setupNote?: (model: ModelShape, params: ObjectiveParamValues) => SetupNote | null;
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
