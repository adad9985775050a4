// The setup panel: every choice of a run (preset, objective, model size, masking, optimizer,
// schedule, data, probes) as a controlled form over one RunConfig. Validation is the config's own
// (validateConfig, which runs the registry's parseMaskingConfig): an edit that would add a
// problem is refused at the field with that message, so `onChange` only ever sees valid configs.
// The masking and objective sections are drawn from their registries (STRATEGIES, OBJECTIVES), so
// a new strategy, objective or parameter appears here without UI changes.
// What it does not do: hold the config (the caller does; see store), start runs, or read the URL.

import { useMemo } from 'react';
import { CORRUPTION_PRESETS, NEED_LABELS, paramsOf, STRATEGIES, strategyById, type ParamValue } from '../../masking/registry.ts';
import { PROBE_TASKS, probesUnavailable, type ProbeTaskId } from '../../data/probe-tasks.ts';
import { maskingParams, PRESETS, presetById, presetConfig, probeOf, validateConfig, type RunConfig } from '../../model/config.ts';
import { OBJECTIVES, objectiveById, objectiveParams } from '../../objectives/registry.ts';
import type { ObjectiveSpec } from '../../objectives/types.ts';
import { CheckboxField, NumberField, ParamField, SelectField, type Check } from './fields.tsx';
import { encodeSetup } from './url-hash.ts';
import './setup.css';

type Loose = Record<string, unknown>;
const getPath = (c: RunConfig, path: string) => path.split('.').reduce<unknown>((o, k) => (o as Loose)[k], c);
function withPath(c: RunConfig, path: string, v: unknown): RunConfig {
  const next = structuredClone(c);
  const parts = path.split('.');
  const last = parts.pop()!;
  (parts.reduce<unknown>((o, k) => (o as Loose)[k], next) as Loose)[last] = v;
  return next;
}

/** `c` with one parameter of objective `o` set (its block created if the config has none). */
function withObjectiveParam(c: RunConfig, o: ObjectiveSpec, key: string, v: unknown): RunConfig {
  return { ...structuredClone(c), [o.id]: { ...objectiveParams(c, o), [key]: v } };
}

interface NumSpec {
  path: string;
  label: string;
  help: string;
}
const num = (path: string, label: string, help: string): NumSpec => ({ path, label, help });

const MODEL_FIELDS = [
  num('model.L', 'Layers L', 'Transformer encoder layers.'),
  num('model.C', 'Hidden C', 'Hidden size; must divide by the number of heads (head size HS = C/NH).'),
  num('model.NH', 'Heads NH', 'Attention heads per layer.'),
  num('model.FFN', 'FFN', 'Feed-forward hidden size (BERT uses 4·C).'),
  num('model.T', 'Sequence T', 'Tokens per sequence, [CLS] and [SEP] included; also the number of learned positions.'),
  num('model.initStd', 'Init std', 'Std of the normal init of weights and embeddings (Hugging Face initializer_range, 0.02).'),
];
const OPTIMIZER_FIELDS = [
  num('train.lr', 'Learning rate', 'Peak learning rate of AdamW, reached after warmup.'),
  num('train.warmupSteps', 'Warmup steps', 'Linear warmup from 0 to the peak learning rate.'),
  num('train.weightDecay', 'Weight decay', 'AdamW decoupled weight decay (not on biases and LayerNorm).'),
  num('train.beta1', 'β1', 'AdamW first-moment decay.'),
  num('train.beta2', 'β2', 'AdamW second-moment decay.'),
  num('train.maxGradNorm', 'Grad clip', 'Clip the global gradient norm to this; 0 turns clipping off.'),
];
const SCHEDULE_FIELDS = [
  num('train.batch', 'Batch', 'Sequences per step.'),
  num('train.steps', 'Steps', 'Training steps.'),
  num('train.seed', 'Seed', 'Seeds init, batches and masks: runs with the same seed see the same data.'),
  num('train.evalEvery', 'Eval every', 'Held-out eval every this many steps (0: only at the end).'),
  num('train.evalBatches', 'Eval batches', 'Held-out batches per eval, with the fixed 15% all-[MASK] mask.'),
];
const PROBE_FIELDS = [
  num('probe.every', 'Probe every', 'Linear probes every this many steps (0: at every eval). The untrained model and the end are always probed.'),
  num('probe.budget', 'Probe budget', 'Skip a scheduled probe that would lift the probes above this share of the run’s time (0.1 = 10%).'),
];
const DATA_SOURCES = [
  { value: 'brown', label: 'Brown corpus' },
  { value: 'text', label: 'Your text (paste or upload below)' },
  { value: 'synthetic-successor', label: 'Synthetic: successor' },
  { value: 'synthetic-copy', label: 'Synthetic: copy' },
] as const;

/** The config paths that have a field on screen for this config; other problems go to the summary. */
function ownedFields(c: RunConfig): Set<string> {
  const s = strategyById(c.masking.strategy);
  return new Set([
    'preset', 'objective', 'masking.strategy', 'train.decay', 'data.source',
    ...[...MODEL_FIELDS, ...OPTIMIZER_FIELDS, ...SCHEDULE_FIELDS, ...PROBE_FIELDS].map((f) => f.path),
    'probe.tasks',
    ...(objectiveById(c.objective)?.params.map((p) => `${c.objective}.${p.key}`) ?? []),
    ...(s ? paramsOf(s).map((p) => `masking.${p.key}`) : []),
    ...(c.data.source === 'brown' || c.data.source === 'text' ? ['data.tokenizer', 'data.vocabSize'] : []),
  ]);
}

export function SetupPanel(props: { value: RunConfig; onChange: (c: RunConfig) => void; disabled?: boolean }) {
  // Configs saved before probes existed get the default probe settings on screen.
  const value = props.value.probe ? props.value : { ...props.value, probe: probeOf(props.value) };
  const { onChange, disabled } = props;
  const problems = useMemo(() => validateConfig(value), [value]);
  const owned = ownedFields(value);
  const errorOf = (path: string) => problems.filter((p) => p.field === path).map((p) => p.message).join(' ') || null;
  const unowned = problems.filter((p) => !owned.has(p.field));

  /** Refuses a candidate config with the problems it adds to the current one. */
  const refusal = (next: RunConfig): string | null => {
    const before = new Set(problems.map((p) => p.message));
    return validateConfig(next).filter((p) => !before.has(p.message)).map((p) => p.message).join(' ') || null;
  };
  const bind = <T,>(path: string) => {
    const check: Check<T> = (v) => refusal(withPath(value, path, v));
    return { name: path, disabled, error: errorOf(path), check, onChange: (v: T) => onChange(withPath(value, path, v)) };
  };
  const numberField = (f: NumSpec) => <NumberField key={f.path} label={f.label} help={f.help} value={getPath(value, f.path) as number} {...bind<number>(f.path)} />;

  // Masking parameters are stored as given; one set back to its effective default is dropped, so
  // the config (and its link) says only what was chosen.
  const strategy = strategyById(value.masking.strategy);
  const effective = maskingParams(value);
  const withParams = (patch: Record<string, ParamValue>): RunConfig => {
    const next = structuredClone(value);
    for (const [k, v] of Object.entries(patch)) {
      const rest = { ...next.masking.params };
      delete rest[k];
      const fallback = maskingParams({ ...next, masking: { ...next.masking, params: rest } })[k] ?? (strategy && paramsOf(strategy).find((p) => p.key === k)?.default);
      next.masking.params = v === fallback ? rest : { ...rest, [k]: v };
    }
    return next;
  };
  const chooseStrategy = (id: string) => {
    const s = strategyById(id);
    const keep = Object.entries(value.masking.params).filter(([k]) => s && paramsOf(s).some((p) => p.key === k));
    return { ...structuredClone(value), masking: { strategy: id, params: Object.fromEntries(keep) } };
  };
  const needsBrown = (strategy?.needs ?? []).filter((n) => n !== 'attention');
  const dataNote =
    needsBrown.length > 0 && value.data.source !== 'brown' && !(value.data.source === 'text' && !needsBrown.includes('tags'))
      ? `${strategy!.name} needs ${needsBrown.map((n) => NEED_LABELS[n]).join(' and ')}, which only the Brown corpus has: on synthetic data every symbol is one untagged word.`
      : null;
  const objective = objectiveById(value.objective);
  const objectiveValues = objective && objectiveParams(value, objective);
  const note = objective && objective.setupNote?.(value.model, objectiveValues!);
  const preset = presetById(value.preset);
  const edited = encodeSetup(value) !== `#preset=${encodeURIComponent(value.preset)}`;

  return (
    <section className="panel setup-panel" aria-label="Run setup" data-testid="setup-panel">
      <h2>Setup</h2>
      {unowned.length > 0 && (
        <p className="setup-summary" role="alert" data-testid="setup-problems">
          {unowned.map((p) => p.message).join(' ')}
        </p>
      )}
      <details className="setup-section" open>
        <summary>Preset{edited && <span className="setup-tag"> edited</span>}</summary>
        <SelectField name="preset" testId="preset-select" label="Preset" value={value.preset} disabled={disabled} error={errorOf('preset')} options={PRESETS.map((p) => ({ value: p.id, label: p.name }))} onChange={(id) => onChange(presetConfig(id))} />
        {preset && <p className="setup-note">{preset.description}</p>}
      </details>
      <details className="setup-section" open>
        <summary>Objective</summary>
        <SelectField label="Objective" value={value.objective} options={OBJECTIVES.map((o) => ({ value: o.id, label: o.label }))} {...bind<string>('objective')} />
        {objective && objective.params.length > 0 && (
          <div className="setup-grid">
            {objective.params.map((p) => {
              const path = `${objective.id}.${p.key}`;
              const v = objectiveValues![p.key];
              const check = (x: unknown) => refusal(withObjectiveParam(value, objective, p.key, x));
              const field = { name: path, label: p.label, help: p.help, disabled, error: errorOf(path), onChange: (x: unknown) => onChange(withObjectiveParam(value, objective, p.key, x)) };
              return p.kind === 'number' ? <NumberField key={path} {...field} value={v as number} min={p.min} max={p.max} check={check} /> : <CheckboxField key={path} {...field} checked={v as boolean} check={check} />;
            })}
            {note && (
              <p className="setup-note" data-testid={note.testId}>
                {note.text}
              </p>
            )}
          </div>
        )}
      </details>
      <details className="setup-section" open>
        <summary>Masking</summary>
        <SelectField name="masking.strategy" testId="mask-strategy-select" label="Strategy" value={value.masking.strategy} disabled={disabled} error={errorOf('masking.strategy')} options={STRATEGIES.map((s) => ({ value: s.id, label: s.name }))} check={(id) => refusal(chooseStrategy(id))} onChange={(id) => onChange(chooseStrategy(id))} />
        {strategy && (
          <div className="setup-strategy" data-testid="mask-strategy-info">
            <p>{strategy.description}</p>
            <p className="setup-note">Source: {strategy.source}</p>
            {strategy.needs.length > 0 && <p className="setup-note">Needs {strategy.needs.map((n) => NEED_LABELS[n]).join(' and ')}.</p>}
          </div>
        )}
        {dataNote && <p className="setup-warn" data-testid="mask-data-note">{dataNote}</p>}
        {strategy && strategy.params.length > 0 && <h3 className="setup-sub">{strategy.name} parameters</h3>}
        <div className="setup-grid">
          {strategy?.params.map((p) => maskParam(p.key))}
        </div>
        <h3 className="setup-sub">Budget and corruption</h3>
        <div className="setup-corruption">
          {Object.entries(CORRUPTION_PRESETS).map(([id, c]) => (
            <button key={id} type="button" disabled={disabled} data-testid={`corruption-${id}`} onClick={() => onChange(withParams(c))}>
              {id} {Math.round(c.maskProb * 100)}/{Math.round(c.randomProb * 100)}/{Math.round((1 - c.maskProb - c.randomProb) * 100)}
            </button>
          ))}
        </div>
        <div className="setup-grid">
          {strategy && paramsOf(strategy).slice(strategy.params.length).map((p) => maskParam(p.key))}
        </div>
      </details>
      <details className="setup-section">
        <summary>Model size</summary>
        <div className="setup-grid">{MODEL_FIELDS.map(numberField)}</div>
        <p className="setup-note">Head size HS = C/NH = {value.model.C / value.model.NH}.</p>
      </details>
      <details className="setup-section">
        <summary>Optimizer</summary>
        <div className="setup-grid">
          {OPTIMIZER_FIELDS.slice(0, 2).map(numberField)}
          <SelectField label="LR decay" help="Learning-rate schedule after warmup." value={value.train.decay} options={['constant', 'linear', 'cosine'].map((d) => ({ value: d as RunConfig['train']['decay'], label: d }))} {...bind<RunConfig['train']['decay']>('train.decay')} />
          {OPTIMIZER_FIELDS.slice(2).map(numberField)}
        </div>
      </details>
      <details className="setup-section">
        <summary>Batch, steps, seed, eval</summary>
        <div className="setup-grid">{SCHEDULE_FIELDS.map(numberField)}</div>
      </details>
      <details className="setup-section">
        <summary>Data</summary>
        <SelectField label="Source" value={value.data.source} options={DATA_SOURCES} {...bind<RunConfig['data']['source']>('data.source')} />
        {(value.data.source === 'brown' || value.data.source === 'text') && (
          <div className="setup-grid">
            <SelectField label="Tokenizer" value={value.data.tokenizer} options={[{ value: 'wordpiece', label: 'WordPiece' }, { value: 'char', label: 'Characters' }]} {...bind<RunConfig['data']['tokenizer']>('data.tokenizer')} />
            {numberField(num('data.vocabSize', 'Vocab size', 'WordPiece vocabulary to learn from the training split (ignored by the char tokenizer).'))}
          </div>
        )}
        <p className="setup-note">Strategies that need tags ({STRATEGIES.filter((s) => s.needs.includes('tags')).map((s) => s.name).join(', ')}) need the Brown corpus; word-level ones need real text (Brown or yours).</p>
        {dataNote && <p className="setup-warn">{dataNote}</p>}
      </details>
      <details className="setup-section">
        <summary>Probes</summary>
        <p className="setup-note">Linear probes on frozen features, per layer: what the representations know (the yardstick of the masking papers), not how well the model fills blanks.</p>
        <div className="setup-grid">
          {PROBE_TASKS.map((t) => (
            <CheckboxField key={t.id} label={t.label} help={t.description} checked={value.probe!.tasks.includes(t.id)} {...bind<boolean>(`probe.tasks`)} name={`probe.tasks.${t.id}`} onChange={(on) => onChange(withPath(value, 'probe.tasks', toggleTask(value.probe!.tasks, t.id, on)))} check={(on) => refusal(withPath(value, 'probe.tasks', toggleTask(value.probe!.tasks, t.id, on)))} />
          ))}
          {PROBE_FIELDS.map(numberField)}
        </div>
        {probesUnavailable(value.data.source) && <p className="setup-warn">{probesUnavailable(value.data.source)}</p>}
      </details>
    </section>
  );

  // A plain function, not a component: a component declared in here would be a new type on every
  // render and remount its input, losing what is being typed.
  function maskParam(k: string) {
    const spec = paramsOf(strategy!).find((p) => p.key === k)!;
    const name = `masking.${k}`;
    return <ParamField key={k} spec={spec} name={name} value={effective[k] ?? spec.default} disabled={disabled} error={errorOf(name)} check={(v) => refusal(withParams({ [k]: v }))} onChange={(v) => onChange(withParams({ [k]: v }))} />;
  }
}

/** The task list with `id` on or off, in the registry's order. */
function toggleTask(tasks: readonly ProbeTaskId[], id: ProbeTaskId, on: boolean): ProbeTaskId[] {
  return PROBE_TASKS.map((t) => t.id).filter((x) => (x === id ? on : tasks.includes(x)));
}
