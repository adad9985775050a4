// One file that holds a whole training run: the setup, the step, the vocabulary, the metrics
// history, and every parameter with both AdamW moments. Resuming from it continues the run with
// the losses an uninterrupted run would have had (batches, masks and samples are keyed by step).
//
// Layout (little-endian):
//   0  "MLCKPT01"          magic + format version
//   8  u32 headerBytes     UTF-8 JSON header (CheckpointHeader), padded with spaces to 4 bytes
//  12  u32 dataBytes       float32 tensor data, offsets in the header are relative to its start
//  16  header, data
// end  u32 CRC-32          of every byte before it, so a changed byte is caught, not trained on
// Pure: no GPU, no DOM. Reading the tensors off the GPU and uploading them is the engine's job.
// A damaged or crafted file is refused with a CheckpointError before anything it declares is
// allocated: lengths against the real size, then the CRC, then the header (checkpoint-header.ts).

import { OBJECTIVES, objectiveById, objectiveParams } from '../objectives/registry.ts';
import type { RunConfig } from '../model/config.ts';
import type { RunHistory } from './protocol.ts';
import { headerProblem, MAX_HEADER_BYTES, MAX_HEADER_DEPTH, nestsDeeperThan } from './checkpoint-header.ts';

export const CHECKPOINT_MAGIC = 'MLCKPT01';
export const CHECKPOINT_EXTENSION = '.mlckpt';
const PREFIX = 16;

/** What a tensor in the file is: a parameter, or AdamW's first or second moment of it. */
export type StatePool = 'param' | 'm' | 'v';

export interface CheckpointTensor {
  name: string;
  pool: StatePool;
  shape: number[];
  data: Float32Array;
}

export interface CheckpointData {
  config: RunConfig;
  /** Steps done; the next step to run. */
  step: number;
  /** vocab.txt of the run's tokenizer: resume checks that the rebuilt vocabulary is this one. */
  vocab: string;
  history: RunHistory;
  /** Training time so far (ms), so tokens/s and elapsed time continue. */
  activeMs: number;
  /** The learning-rate factor a roll-back left (session.ts lrScale); absent = 1. */
  lrScale?: number;
  savedAt: string;
  tensors: CheckpointTensor[];
}

interface HeaderTensor {
  name: string;
  pool: StatePool;
  shape: number[];
  offset: number;
}

type CheckpointHeader = Omit<CheckpointData, 'tensors'> & { format: 'masklab-checkpoint'; tensors: HeaderTensor[] };

/** A file that cannot be resumed, with what was wrong and what to do. */
export class CheckpointError extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE, as zip and PNG use) of bytes. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

export function encodeCheckpoint(c: CheckpointData): Uint8Array {
  let offset = 0;
  const tensors: HeaderTensor[] = c.tensors.map((t) => {
    if (t.data.length !== numel(t.shape)) throw new Error(`encodeCheckpoint: ${t.pool}:${t.name} has ${t.data.length} values for shape [${t.shape.join(',')}]`);
    const h = { name: t.name, pool: t.pool, shape: t.shape, offset };
    offset += t.data.length * 4;
    return h;
  });
  const header: CheckpointHeader = { format: 'masklab-checkpoint', config: c.config, step: c.step, vocab: c.vocab, history: c.history, activeMs: c.activeMs, ...(c.lrScale !== undefined ? { lrScale: c.lrScale } : {}), savedAt: c.savedAt, tensors };
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 4) * 4;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const total = PREFIX + json.length + offset + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  view.setUint32(8, json.length, true);
  view.setUint32(12, offset, true);
  out.set(json, PREFIX);
  const dataStart = PREFIX + json.length;
  for (let i = 0; i < c.tensors.length; i++) {
    const d = c.tensors[i]!.data;
    const o = dataStart + tensors[i]!.offset;
    for (let k = 0; k < d.length; k++) view.setFloat32(o + 4 * k, d[k]!, true);
  }
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)), true);
  return out;
}

const NOT_CHECKPOINT_HINT = `Choose a ${CHECKPOINT_EXTENSION} file saved with "Download checkpoint".`;
const DAMAGED_HINT = 'The file was damaged or cut short (an interrupted download or copy): save or download the checkpoint again.';

/** Parses and checks a checkpoint file; throws CheckpointError saying what is wrong with it. */
export function decodeCheckpoint(bytes: Uint8Array): CheckpointData {
  checkMagic(bytes);
  if (bytes.length < PREFIX + 4) throw new CheckpointError(`The checkpoint is truncated: ${bytes.length} bytes, too short to hold even its header.`, DAMAGED_HINT);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(8, true);
  const dataBytes = view.getUint32(12, true);
  // Every declared length is checked against the bytes really there before anything is read or
  // allocated; the tensor table is checked against dataBytes below (checkpoint-header.ts).
  if (headerBytes > MAX_HEADER_BYTES) throw new CheckpointError(`The checkpoint's header says it is ${headerBytes} bytes long; a checkpoint header is at most ${MAX_HEADER_BYTES}.`, DAMAGED_HINT);
  const expected = PREFIX + headerBytes + dataBytes + 4;
  if (bytes.length < expected) throw new CheckpointError(`The checkpoint is truncated: it has ${bytes.length} bytes, its header says ${expected}.`, DAMAGED_HINT);
  if (bytes.length > expected) throw new CheckpointError(`The checkpoint has ${bytes.length - expected} unexpected bytes after its end (${expected} bytes).`, DAMAGED_HINT);
  const stored = view.getUint32(expected - 4, true);
  const actual = crc32(bytes.subarray(0, expected - 4));
  if (stored !== actual) throw new CheckpointError(`The checkpoint is corrupt: its CRC-32 is ${hex(actual)}, but it was saved with ${hex(stored)} (some bytes changed after saving).`, DAMAGED_HINT);

  let header: CheckpointHeader;
  try {
    const json = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + headerBytes));
    if (nestsDeeperThan(json, MAX_HEADER_DEPTH)) throw new CheckpointError(`The checkpoint's header nests lists and objects deeper than ${MAX_HEADER_DEPTH} levels; masklab writes a handful.`, DAMAGED_HINT);
    header = JSON.parse(json) as CheckpointHeader;
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`The checkpoint's header is not valid JSON (${e instanceof Error ? e.message : String(e)}).`, DAMAGED_HINT);
  }
  checkHeader(header, dataBytes);
  const dataStart = PREFIX + headerBytes;
  const tensors = header.tensors.map((t) => {
    const n = numel(t.shape);
    const data = new Float32Array(n);
    const o = dataStart + t.offset;
    for (let k = 0; k < n; k++) data[k] = view.getFloat32(o + 4 * k, true);
    return { name: t.name, pool: t.pool, shape: t.shape, data };
  });
  return { config: header.config, step: header.step, vocab: header.vocab, history: upgradeHistory(header.history), activeMs: header.activeMs, ...(header.lrScale !== undefined ? { lrScale: header.lrScale } : {}), savedAt: header.savedAt, tensors };
}

/**
 * Checkpoints (and autosaves) written before metrics were kept by name carry ELECTRA's metrics in
 * an `electra` block of each point; they are the same names, now under `values`.
 */
export function upgradeHistory(h: RunHistory): RunHistory {
  const up = <P extends { values?: Record<string, number> }>(p: P): P => {
    const { electra, ...rest } = p as P & { electra?: Record<string, number> };
    return electra && !p.values ? ({ ...rest, values: { ...electra } } as P) : p;
  };
  return { ...h, metrics: h.metrics.map(up), evals: h.evals.map(up) };
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function checkHeader(h: unknown, dataBytes: number): asserts h is CheckpointHeader {
  const problem = headerProblem(h, dataBytes);
  if (problem) throw new CheckpointError(`The checkpoint's header is invalid: ${problem}.`, DAMAGED_HINT);
}

const MAGIC_BYTES = new TextEncoder().encode(CHECKPOINT_MAGIC);
/** "MLCKPT" names the format, the two characters after it its version. */
const VERSION_AT = 6;

/** Refuses what is not a checkpoint, or is one of another format version (naming the one it has). */
function checkMagic(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new CheckpointError('This is not a masklab checkpoint: the file is empty.', NOT_CHECKPOINT_HINT);
  for (let i = 0; i < Math.min(bytes.length, VERSION_AT); i++) {
    if (bytes[i] !== MAGIC_BYTES[i]) throw new CheckpointError(`This is not a masklab checkpoint: it does not start with "${CHECKPOINT_MAGIC}".`, NOT_CHECKPOINT_HINT);
  }
  if (bytes.length < MAGIC_BYTES.length) throw new CheckpointError(`The checkpoint is truncated: ${bytes.length} bytes, too short to hold even its header.`, DAMAGED_HINT);
  const version = bytes.subarray(VERSION_AT, MAGIC_BYTES.length);
  if (version.every((b, i) => b === MAGIC_BYTES[VERSION_AT + i])) return;
  // A printable version as written ("02"); other bytes in hex, so the message stays readable.
  const found = version.every((b) => b > 0x20 && b < 0x7f) ? String.fromCharCode(...version) : `bytes ${[...version].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ')}`;
  throw new CheckpointError(`This checkpoint has format version ${found}; this version of masklab reads ${CHECKPOINT_MAGIC.slice(VERSION_AT)}.`, 'Open it with the masklab version that saved it, or start a new run.');
}

/**
 * Where `current` differs from the setup a checkpoint was saved with, in what shapes the model,
 * the data, the masks or the schedule ("model.C: 64 in the file, 32 here"); empty when it can
 * resume. Only the length of the run and how often it logs and evaluates may differ.
 */
export function checkpointMismatch(saved: RunConfig, current: RunConfig): string[] {
  const out: string[] = [];
  // The probes only evaluate (issue [H]): a run may be resumed with other probe settings.
  const free = new Set(['preset', 'train.steps', 'train.evalEvery', 'train.logEvery', 'probe']);
  // Options of an objective neither run trains are not part of either setup; the trained one's are
  // compared with their defaults filled in (a file from before an option existed has none).
  for (const o of OBJECTIVES) if (saved.objective !== o.id && current.objective !== o.id) free.add(o.id);
  const filled = (c: RunConfig): RunConfig => {
    const o = objectiveById(c.objective);
    return o && o.params.length ? { ...c, [o.id]: objectiveParams(c, o) } : c;
  };
  const walk = (a: unknown, b: unknown, path: string) => {
    if (free.has(path)) return;
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const k of [...keys].sort()) walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: ${show(a)} in the file, ${show(b)} here`);
  };
  walk(filled(saved), filled(current), '');
  return out;
}

const show = (x: unknown) => (x === undefined ? 'not set' : JSON.stringify(x));

/** Checks the file's tensors against the model the setup builds (names, pools, shapes); throws on the first difference. */
export function checkTensorLayout(tensors: CheckpointTensor[], specs: { name: string; shape: number[] }[]): void {
  const hint = 'The file was saved for a different model than this setup builds: resume it with its own setup, or start a new run.';
  const have = new Map(tensors.map((t) => [`${t.pool}:${t.name}`, t]));
  for (const pool of ['param', 'm', 'v'] as const) {
    for (const s of specs) {
      const t = have.get(`${pool}:${s.name}`);
      if (!t) throw new CheckpointError(`The checkpoint has no ${pool === 'param' ? 'parameter' : `AdamW ${pool}`} "${s.name}", which this model needs.`, hint);
      if (t.shape.join(',') !== s.shape.join(',')) throw new CheckpointError(`The checkpoint's "${s.name}" has shape [${t.shape.join(', ')}]; this model needs [${s.shape.join(', ')}].`, hint);
    }
  }
  const names = new Set(specs.map((s) => s.name));
  const extra = tensors.find((t) => !names.has(t.name));
  if (extra) throw new CheckpointError(`The checkpoint has a tensor "${extra.name}" that this model does not have.`, hint);
}
