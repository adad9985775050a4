// Small form fields for the setup panel. Each one refuses a bad value at the field: it keeps what
// the person typed, shows why right under it (role="alert", data-testid="field-error-<name>"),
// and calls onChange only with a value that parsed and passed `check` — so the config the panel
// holds is always valid and a half-typed number never reaches it.
// What they do not do: know about RunConfig or validation rules (the caller passes `check`), or
// keep any state beyond the text being typed and its message.

import { useId, useState, type ReactNode } from 'react';
import type { ParamSpec, ParamValue } from '../../masking/registry.ts';

/** Returns why a value is refused, or null to accept it. */
export type Check<T> = (value: T) => string | null;

interface FieldProps {
  /** The config path ("train.lr", "masking.rate"); names the input and its error element. */
  name: string;
  label: ReactNode;
  /** Shown as the tooltip. */
  help?: string;
  disabled?: boolean;
  /** A problem the caller found with the current value (e.g. a config loaded from a link). */
  error?: string | null;
}

function FieldError({ name, id, message }: { name: string; id: string; message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="field-error" role="alert" id={id} data-testid={`field-error-${name}`}>
      {message}
    </div>
  );
}

/**
 * The shared text-input logic. `shown` remembers which prop value the text belongs to, so a
 * value changed from outside (a preset chosen) replaces the text, while the person's own accepted
 * edit does not reformat what they are typing ("0.10" stays "0.10").
 */
function ParsedInput<T>(
  props: FieldProps & { value: T; format: (v: T) => string; parse: (text: string) => { value: T } | { error: string }; check?: Check<T>; onChange: (v: T) => void; inputMode?: 'decimal' | 'numeric' | 'text' },
) {
  const { name, label, help, disabled, error, value, format, parse, check, onChange, inputMode } = props;
  const [text, setText] = useState(() => format(value));
  const [shown, setShown] = useState<T>(value);
  const [local, setLocal] = useState<string | null>(null);
  const errorId = useId();
  if (!Object.is(shown, value)) {
    setShown(value);
    setText(format(value));
    setLocal(null);
  }
  const edit = (t: string) => {
    setText(t);
    const r = parse(t);
    const why = 'error' in r ? r.error : (check?.(r.value) ?? null);
    setLocal(why);
    if (why === null && 'value' in r) {
      setShown(r.value);
      onChange(r.value);
    }
  };
  const message = local ?? error;
  return (
    <div className="field">
      <label title={help}>
        <span className="field-label">{label}</span>
        <input
          type="text"
          name={name}
          inputMode={inputMode}
          data-testid={`field-${name}`}
          value={text}
          disabled={disabled}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? errorId : undefined}
          onChange={(e) => edit(e.target.value)}
        />
      </label>
      <FieldError name={name} id={errorId} message={message} />
    </div>
  );
}

export function NumberField(props: FieldProps & { value: number; onChange: (v: number) => void; min?: number; max?: number; integer?: boolean; check?: Check<number> }) {
  const { min, max, integer, label } = props;
  const parse = (t: string): { value: number } | { error: string } => {
    const s = t.trim();
    const n = s === '' ? NaN : Number(s);
    const what = typeof label === 'string' ? label : 'This field';
    const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : '';
    const want = `${what} must be ${integer ? 'a whole number' : 'a number'}${range}`;
    if (!Number.isFinite(n)) {
      // Without a range of its own, the field borrows the caller's message for "not a number",
      // which names the allowed range (validateConfig says "… from 1 to 24 (got NaN).").
      const borrowed = range === '' ? props.check?.(NaN)?.replace(/ \(got (NaN|null)\)\./, '.') : null;
      const base = borrowed ?? `${want}.`;
      return { error: s === '' ? base : `"${s}" is not a number. ${base}` };
    }
    if ((integer && !Number.isInteger(n)) || (min !== undefined && n < min) || (max !== undefined && n > max)) return { error: `${want} (got ${s}).` };
    return { value: n };
  };
  return <ParsedInput {...props} format={String} parse={parse} inputMode={integer ? 'numeric' : 'decimal'} />;
}

/** Free text, checked only by `check` (e.g. the registry's comma-separated weights). */
export function TextField(props: FieldProps & { value: string; onChange: (v: string) => void; check?: Check<string> }) {
  return <ParsedInput {...props} format={String} parse={(t) => ({ value: t.trim() })} inputMode="text" />;
}

export interface Option<T extends string> {
  value: T;
  label: string;
}

/** A select; a refused choice leaves the select on the current value and says why. */
export function SelectField<T extends string>(props: FieldProps & { value: T; options: readonly Option<T>[]; onChange: (v: T) => void; check?: Check<T>; testId?: string }) {
  const { name, label, help, disabled, error, value, options, onChange, check, testId } = props;
  const [local, setLocal] = useState<{ for: T; message: string } | null>(null);
  const errorId = useId();
  // A refusal belongs to the value it was made against; a new value from outside clears it.
  const message = (local && Object.is(local.for, value) ? local.message : null) ?? error;
  return (
    <div className="field">
      <label title={help}>
        <span className="field-label">{label}</span>
        <select
          name={name}
          data-testid={testId ?? `field-${name}`}
          value={value}
          disabled={disabled}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? errorId : undefined}
          onChange={(e) => {
            const v = e.target.value as T;
            const why = check?.(v) ?? null;
            setLocal(why === null ? null : { for: value, message: why });
            if (why === null) onChange(v);
          }}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <FieldError name={name} id={errorId} message={message} />
    </div>
  );
}

export function CheckboxField(props: FieldProps & { checked: boolean; onChange: (v: boolean) => void; check?: Check<boolean> }) {
  const { name, label, help, disabled, error, checked, onChange, check } = props;
  const [local, setLocal] = useState<{ for: boolean; message: string } | null>(null);
  const errorId = useId();
  const message = (local && local.for === checked ? local.message : null) ?? error;
  return (
    <div className="field field-check">
      <label title={help}>
        <input
          type="checkbox"
          name={name}
          data-testid={`field-${name}`}
          checked={checked}
          disabled={disabled}
          aria-describedby={message ? errorId : undefined}
          onChange={(e) => {
            const why = check?.(e.target.checked) ?? null;
            setLocal(why === null ? null : { for: checked, message: why });
            if (why === null) onChange(e.target.checked);
          }}
        />
        <span className="field-label">{label}</span>
      </label>
      <FieldError name={name} id={errorId} message={message} />
    </div>
  );
}

/**
 * One registry parameter, rendered from its ParamSpec alone (label, help as tooltip, type), so a
 * strategy or parameter added to the registry shows up here with no UI change.
 */
export function ParamField(props: { spec: ParamSpec; name: string; value: ParamValue; onChange: (v: ParamValue) => void; check?: Check<ParamValue>; disabled?: boolean; error?: string | null }) {
  const { spec, name, value, onChange, check, disabled, error } = props;
  const common = { name, label: spec.label, help: `${spec.key}: ${spec.help} (default ${spec.default})`, disabled, error, check };
  const t = spec.type;
  if (t.kind === 'number') {
    return <NumberField {...common} value={Number(value)} onChange={onChange} min={t.min} max={t.max} integer={t.integer} />;
  }
  if (t.kind === 'enum') {
    return <SelectField {...common} value={String(value)} options={t.values.map((v) => ({ value: v, label: v }))} onChange={onChange} />;
  }
  return <TextField {...common} value={String(value)} onChange={onChange} />;
}
