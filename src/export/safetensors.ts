// Writes and reads safetensors files (huggingface/safetensors, README "Format"), F32 only:
//   8 bytes   N, u64 little-endian: the header's length
//   N bytes   UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {k: v}},
//             padded with spaces so the data starts 8-byte aligned (as the Rust writer does)
//   rest      the byte buffer: tensors back to back, row-major, little-endian; offsets are
//             relative to its start, and the tensors tile it exactly (no gaps, no overlaps)
// The reader checks every one of those rules, as the reference implementation does, and names
// the rule a file breaks. Endianness is explicit (DataView), never the platform's.
// Deliberately not here: other dtypes (masklab's parameters are f32), lazy or streamed reading.

export interface NamedTensor {
  name: string;
  shape: number[];
  /** Row-major, numel(shape) floats. */
  data: Float32Array;
}

/** safetensors' `__metadata__`: strings only. transformers refuses a file whose "format" is not "pt"/"tf"/"flax"/"mlx". */
export type SafetensorsMetadata = Record<string, string>;

/** The reference reader refuses headers over 100 MB (a JSON bomb guard); so do we. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** tensors (in file order) + metadata → the bytes of a .safetensors file. */
export function writeSafetensors(tensors: readonly NamedTensor[], metadata?: SafetensorsMetadata): Uint8Array {
  // No prototype, so a tensor named "__proto__" is a key like any other.
  const header = Object.create(null) as Record<string, unknown>;
  if (metadata) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === METADATA_KEY || Object.hasOwn(header, t.name)) throw new Error(`writeSafetensors: tensor name "${t.name}" is reserved or appears twice; names must be unique.`);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`writeSafetensors: tensor "${t.name}" has shape [${t.shape.join(', ')}]; dimensions must be whole numbers ≥ 0.`);
    const bytes = numel(t.shape) * 4;
    if (t.data.length * 4 !== bytes) throw new Error(`writeSafetensors: tensor "${t.name}" has ${t.data.length} floats but shape [${t.shape.join(', ')}] needs ${bytes / 4}.`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  let pos = 8 + padded;
  for (const t of tensors) {
    if (isLittleEndian) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    else for (let i = 0; i < t.data.length; i++) view.setFloat32(pos + 4 * i, t.data[i]!, true);
    pos += t.data.byteLength;
  }
  return out;
}

export interface SafetensorsFile {
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  metadata: SafetensorsMetadata | null;
}

const fail = (msg: string): never => {
  throw new Error(`safetensors: ${msg}`);
};

interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

function parseEntry(name: string, v: unknown): Entry {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`tensor "${name}": header entry is not an object {dtype, shape, data_offsets}.`);
  const e = v as Record<string, unknown>;
  if (e.dtype !== 'F32') return fail(`tensor "${name}" has dtype ${JSON.stringify(e.dtype)}; only F32 is supported (masklab writes float32).`);
  const shape = e.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) return fail(`tensor "${name}": shape ${JSON.stringify(shape)} is not a list of whole numbers ≥ 0.`);
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) return fail(`tensor "${name}": data_offsets ${JSON.stringify(off)} is not [begin, end] with whole numbers ≥ 0.`);
  const [begin, end] = off as [number, number];
  if (end < begin) return fail(`tensor "${name}": data_offsets [${begin}, ${end}] end before they begin.`);
  const need = numel(shape as number[]) * 4;
  if (end - begin !== need) return fail(`tensor "${name}": shape [${shape.join(', ')}] × 4 bytes = ${need} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}.`);
  return { name, shape: shape as number[], begin, end };
}

function parseMetadata(v: unknown): SafetensorsMetadata {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    return fail(`"${METADATA_KEY}" must map strings to strings (got ${JSON.stringify(v)}).`);
  }
  return v as SafetensorsMetadata;
}

/** The bytes of a .safetensors file → its tensors by name (copies, decoded little-endian). Throws on any broken rule. */
export function readSafetensors(bytes: Uint8Array): Map<string, { shape: number[]; data: Float32Array }> {
  return readSafetensorsFile(bytes).tensors;
}

/** As readSafetensors, with the `__metadata__` map (null when the file has none). */
export function readSafetensorsFile(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes; it needs at least the 8-byte header length.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n64} is over the ${MAX_HEADER_BYTES}-byte limit.`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the file (${bytes.length} bytes, so at most ${bytes.length - 8}).`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail('header is not valid UTF-8.');
  }
  if (!text.startsWith('{')) fail('header does not start with "{": it is not a JSON object.');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`header is not valid JSON (${(e as Error).message}).`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('header is not a JSON object.');

  let metadata: SafetensorsMetadata | null = null;
  const entries: Entry[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = parseMetadata(v);
    else entries.push(parseEntry(name, v));
  }

  // The tensors must tile the buffer: sorted by offset, each starts where the previous ended.
  const dataStart = 8 + n;
  const dataBytes = bytes.length - dataStart;
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev = '(start of data)';
  for (const e of entries) {
    if (e.end > dataBytes) fail(`tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] run past the data (${dataBytes} bytes).`);
    if (e.begin < pos) fail(`tensors ${prev} and "${e.name}" overlap ("${e.name}" begins at ${e.begin}, before ${pos}).`);
    if (e.begin > pos) fail(`gap of ${e.begin - pos} bytes between ${prev} (ends at ${pos}) and "${e.name}" (begins at ${e.begin}).`);
    pos = e.end;
    prev = `"${e.name}"`;
  }
  if (pos !== dataBytes) fail(`${dataBytes - pos} bytes after the last tensor: the data must end where the last tensor ends (${pos}).`);

  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const e of entries) {
    const count = (e.end - e.begin) / 4;
    const at = dataStart + e.begin;
    let data: Float32Array;
    if (isLittleEndian && (bytes.byteOffset + at) % 4 === 0) data = new Float32Array(bytes.buffer, bytes.byteOffset + at, count).slice();
    else {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + 4 * i, true);
    }
    tensors.set(e.name, { shape: e.shape, data });
  }
  return { tensors, metadata };
}
