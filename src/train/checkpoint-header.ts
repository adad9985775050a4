// The checks a checkpoint's JSON header passes before the decoder builds anything from it
// (issue [L] item 5: hostile files are refused quickly, without allocating what they declare).
// A header is only parsed once its CRC matched, so what reaches here was either written by
// masklab or crafted; crafted headers must still end in a CheckpointError, never a TypeError in
// the decoder or the resume, a stack overflow, or a Float32Array of a declared 2^40 elements.
// Each check returns what is wrong as a phrase (null when fine); checkpoint.ts wraps it in a
// CheckpointError, so this file has no dependency on it.
// Not here: whether the setup is valid or matches the current one (the session's
// assertValidConfig and checkpointMismatch), or the tensors against the model the setup builds
// (checkTensorLayout): an older file may hold a setup that today's ranges refuse yet still resume
// under the current one.

/**
 * Longest JSON header read, in UTF-8 bytes. V8 (Chromium) strings hold at most 2^29 − 24 UTF-16
 * units, so JSON.stringify cannot have written a longer header and TextDecoder could not read one
 * back (it would throw a RangeError); checked before the CRC so no such string is ever attempted.
 */
export const MAX_HEADER_BYTES = 2 ** 29 - 24;

/**
 * Deepest nesting of arrays and objects in a header. masklab writes at most 5 (a probe point's
 * scores); the resume walks the setup recursively and posts the history across threads, both of
 * which would overflow the stack on a crafted `[[[[…` a million deep.
 */
export const MAX_HEADER_DEPTH = 64;

/** Whether JSON text nests arrays/objects deeper than `limit`: one pass over the string, no parse. */
export function nestsDeeperThan(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next unit is escaped (\" does not end the string)
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

type Obj = Record<string, unknown>;
const isObject = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A value for a message, cut short: a crafted field may be megabytes long. */
function quote(x: unknown): string {
  const s = JSON.stringify(x) ?? String(x);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Every point of a history series is an object with a numeric step (charts and resume read it). */
function seriesProblem(points: unknown, what: string): string | null {
  if (!Array.isArray(points)) return `its ${what} history is not a list`;
  const i = points.findIndex((p) => !isObject(p) || typeof p.step !== 'number');
  return i < 0 ? null : `its ${what} history point ${i} is ${quote(points[i])}, not a point with a step`;
}

/**
 * What is wrong with a parsed header (null when nothing): the fields the decoder and the resume
 * read, and the tensor table, which must list tensors back to back from offset 0 that fill the
 * `dataBytes` the file holds (already checked against the file's real length) exactly.
 */
export function headerProblem(h: unknown, dataBytes: number): string | null {
  if (!isObject(h) || h.format !== 'masklab-checkpoint') return 'it does not say format "masklab-checkpoint"';
  const c = h.config;
  if (!isObject(c) || typeof c.objective !== 'string' || !isObject(c.model) || !isObject(c.train) || !isObject(c.data) || !isObject(c.masking)) return 'it has no run configuration';
  if (!Number.isInteger(h.step) || (h.step as number) < 0) return `step ${quote(h.step)} is not a whole number ≥ 0`;
  if (typeof h.vocab !== 'string') return 'it has no vocabulary';
  if (typeof h.activeMs !== 'number' || !(h.activeMs >= 0)) return `its training time ${quote(h.activeMs)} is not a number of ms ≥ 0`;
  if (h.lrScale !== undefined && !(typeof h.lrScale === 'number' && h.lrScale > 0 && h.lrScale <= 1)) return `its learning-rate factor (left by a roll-back) ${quote(h.lrScale)} is not a number in (0, 1]`;
  if (typeof h.savedAt !== 'string') return 'it does not say when it was saved';
  const hist = h.history;
  if (!isObject(hist)) return 'it has no metrics history';
  const series = seriesProblem(hist.metrics, 'metrics') ?? seriesProblem(hist.evals, 'eval') ?? (hist.probes === undefined ? null : seriesProblem(hist.probes, 'probe'));
  if (series) return series;
  return tensorTableProblem(h.tensors, dataBytes);
}

const POOLS: readonly unknown[] = ['param', 'm', 'v'];

function tensorTableProblem(tensors: unknown, dataBytes: number): string | null {
  if (!Array.isArray(tensors) || tensors.length === 0) return 'it lists no tensors';
  let end = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (!isObject(t) || typeof t.name !== 'string' || !POOLS.includes(t.pool)) return `tensor ${quote(isObject(t) ? t.name : t)} has no valid name and pool`;
    const id = `${String(t.pool)}:${t.name}`;
    if (seen.has(id)) return `tensor ${quote(id)} appears twice`;
    seen.add(id);
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) return `tensor ${id} has shape ${quote(shape)}`;
    if (t.offset !== end) return `tensor ${id} starts at byte ${quote(t.offset)}, not ${end}`;
    // Against the bytes still left, one tensor at a time: a declared [2^31, 2^31] (or a product
    // that rounds to Infinity) is refused here, long before a Float32Array of it is attempted.
    const bytes = 4 * (shape as number[]).reduce((a, b) => a * b, 1);
    if (bytes > dataBytes - end) return `tensor ${id} of shape ${quote(shape)} needs ${bytes} bytes, but only ${dataBytes - end} of the file's ${dataBytes} data bytes are left`;
    end += bytes;
  }
  if (end !== dataBytes) return `its tensors need ${end} bytes of data, the file holds ${dataBytes}`;
  return null;
}
