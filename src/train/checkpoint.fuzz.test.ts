// Hostile checkpoint files, fuzzed (issue [L] item 5): cut short at every section boundary, bits
// flipped, other magics and versions, lengths and tensor shapes declared far beyond the file
// (with a valid CRC, so the length checks and not the checksum must refuse them), hostile header
// fields, and plain random bytes. Every one must end in a CheckpointError — never a TypeError, a
// RangeError from an allocation or a read past the file, or a stack overflow. A decoder that
// trusted a declared 2^31 floats would throw one of those RangeErrors (or run for minutes filling
// them), so "CheckpointError, within the timeout" is the no-allocation check; wall-clock bounds
// per case are not asserted, since they flake on a loaded machine.
// Seeded: the same cases every run; fast-check prints the seed and the shrunk case on a failure.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { PRESETS, type RunConfig } from '../model/config.ts';
import { paramSpecs } from '../model/layout.ts';
import { MAX_HEADER_BYTES, MAX_HEADER_DEPTH } from './checkpoint-header.ts';
import { CHECKPOINT_MAGIC, CheckpointError, crc32, decodeCheckpoint, encodeCheckpoint, type CheckpointData } from './checkpoint.ts';

const SEED = 20261122;
// About a second per property on 2 cores shared with the rest of the suite; the margin is for that.
const TIMEOUT_MS = 15_000;

/** A property as a test whose name carries its case count. */
function fuzz<T>(name: string, numRuns: number, property: () => fc.IProperty<T>, examples: T[] = []): void {
  it(`${name} (${numRuns} cases)`, () => fc.assert(property(), { numRuns, seed: SEED, examples }), TIMEOUT_MS);
}

// The smallest model the config allows (bert-micro's setup, one layer of width 8, T = 4, V = 8):
// a whole checkpoint of about 13 KB, so a thousand cases decode in well under a second.
const V = 8;
const tiny: RunConfig = (() => {
  const c = structuredClone(PRESETS.find((p) => p.id === 'bert-micro')!.config);
  c.model = { ...c.model, L: 1, C: 8, NH: 1, FFN: 8, T: 4 };
  return c;
})();

function sample(): CheckpointData {
  const rng = new Rng(3, 1);
  const tensors = paramSpecs(tiny.model, V).flatMap((s) =>
    (['param', 'm', 'v'] as const).map((pool) => ({ name: s.name, pool, shape: s.shape, data: Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.normal()) })),
  );
  const mask = { targetRate: 0.15, achievedRate: 0.15, maskFrac: 0.8, randomFrac: 0.1, keepFrac: 0.1, meanUnitLength: 1, unitsPerSequence: 2, fallbackRows: 0 };
  return {
    config: tiny,
    step: 7,
    vocab: '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\na\nof\n',
    history: { metrics: [{ step: 1, loss: 3.5, accuracy: 0.1, lr: 1e-3, gradNorm: 1, tokensPerSec: 10, elapsedMs: 5, mask }], evals: [] },
    activeMs: 1234,
    savedAt: '2026-11-22T10:00:00.000Z',
    tensors,
  };
}

const SAMPLE = sample();
const FILE = encodeCheckpoint(SAMPLE);
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
const HEADER_BYTES = u32(FILE, 8);
const DATA_BYTES = u32(FILE, 12);
const DATA_START = 16 + HEADER_BYTES;
const HEADER = JSON.parse(new TextDecoder().decode(FILE.subarray(16, DATA_START))) as { tensors: { offset: number }[] } & Record<string, unknown>;
const DATA = FILE.slice(DATA_START, DATA_START + DATA_BYTES);

/** Sets the u32 at `at` and rewrites the trailing CRC, so only what was set is wrong. */
function withU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  view.setUint32(at, value, true);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** A well-framed file (magic, true lengths, valid CRC) around any header text and data. */
function frame(header: string, data: Uint8Array = DATA): Uint8Array {
  const json = new TextEncoder().encode(header);
  const headerBytes = Math.ceil(json.length / 4) * 4;
  const out = new Uint8Array(16 + headerBytes + data.length + 4);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(CHECKPOINT_MAGIC));
  view.setUint32(8, headerBytes, true);
  view.setUint32(12, data.length, true);
  out.fill(0x20, 16, 16 + headerBytes);
  out.set(json, 16);
  out.set(data, 16 + headerBytes);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** The CheckpointError decoding throws; any other error is rethrown so the property fails on it. */
function refusal(bytes: Uint8Array): CheckpointError {
  try {
    decodeCheckpoint(bytes);
  } catch (e) {
    if (e instanceof CheckpointError) return e;
    throw e;
  }
  throw new Error(`a hostile file of ${bytes.length} bytes was accepted`);
}

const TRUNCATED = /^The checkpoint is truncated: /;
const CORRUPT = /^The checkpoint is corrupt: its CRC-32 is 0x[0-9a-f]{8}, but it was saved with 0x[0-9a-f]{8}/;

describe('hostile checkpoint files (fuzzed)', () => {
  it('the sample file decodes, so every refusal below is the mutation’s doing', () => {
    expect(decodeCheckpoint(FILE).tensors).toHaveLength(SAMPLE.tensors.length);
  });

  // Every section boundary, one byte either side: inside the magic, the two lengths, the header's
  // end, each tensor's start, the CRC. `subarray` keeps the rest of the file in the same buffer,
  // so a decoder that read past the view's end would wrongly succeed.
  const boundaries = [...new Set([...Array.from({ length: 9 }, (_, i) => i), 12, 16, DATA_START, ...HEADER.tensors.map((t) => DATA_START + t.offset), FILE.length - 4].flatMap((b) => [b - 1, b, b + 1]))].filter((b) => b >= 0 && b < FILE.length);
  fuzz(
    'a file cut at any length short of its end is refused as truncated',
    600,
    () =>
      fc.property(fc.nat(FILE.length - 1), (cut) => {
        expect(refusal(FILE.subarray(0, cut)).message).toMatch(cut === 0 ? /the file is empty/ : TRUNCATED);
      }),
    boundaries.map((b) => [b]),
  );

  // CRC-32 has Hamming distance ≥ 3 for any file under 512 MB: every 1- or 2-bit error is caught.
  fuzz('one or two flipped bits anywhere are refused', 600, () =>
    fc.property(fc.uniqueArray(fc.nat(FILE.length * 8 - 1), { minLength: 1, maxLength: 2 }), (bits) => {
      const bytes = FILE.slice();
      for (const b of bits) bytes[b >> 3]! ^= 1 << (b & 7);
      // Which check refuses depends on where the bits fell: the magic, a length, or the CRC.
      expect(refusal(bytes).message).toMatch(/not a masklab checkpoint|format version|truncated|unexpected bytes after its end|header says it is|corrupt/);
    }),
  );

  // Beyond two bits a CRC misses a given error pattern with probability 2^-32; seeded, these
  // cases are fixed, so the claim "all refused" is exact for them.
  fuzz('3 to 32 flipped bits inside the header or data are refused by the CRC', 300, () =>
    fc.property(fc.uniqueArray(fc.integer({ min: 16 * 8, max: (FILE.length - 4) * 8 - 1 }), { minLength: 3, maxLength: 32 }), (bits) => {
      const bytes = FILE.slice();
      for (const b of bits) bytes[b >> 3]! ^= 1 << (b & 7);
      expect(refusal(bytes).message).toMatch(CORRUPT);
    }),
  );

  fuzz('another format version is refused, naming the version found and the one read', 300, () =>
    fc.property(
      fc.tuple(fc.nat(255), fc.nat(255)).filter(([a, b]) => a !== 0x30 || b !== 0x31),
      ([a, b]) => {
        const bytes = FILE.slice();
        bytes.set([a, b], 6);
        const message = refusal(bytes).message;
        const printable = [a, b].every((x) => x > 0x20 && x < 0x7f);
        const found = printable ? String.fromCharCode(a, b) : [a, b].map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(' ');
        expect(message).toContain(`format version ${printable ? '' : 'bytes '}${found}; this version of masklab reads 01.`);
      },
    ),
  );

  fuzz('a file that does not start with "MLCKPT" is refused as not a checkpoint', 300, () =>
    fc.property(
      fc.uint8Array({ minLength: 6, maxLength: 6 }).filter((m) => new TextDecoder().decode(m) !== 'MLCKPT'),
      (magic) => {
        const bytes = FILE.slice();
        bytes.set(magic, 0);
        expect(refusal(bytes).message).toBe('This is not a masklab checkpoint: it does not start with "MLCKPT01".');
      },
    ),
  );

  fuzz('a header length over the limit is refused before anything is read', 200, () =>
    fc.property(fc.integer({ min: MAX_HEADER_BYTES + 1, max: 2 ** 32 - 1 }), (headerBytes) => {
      expect(refusal(withU32(FILE, 8, headerBytes)).message).toBe(`The checkpoint's header says it is ${headerBytes} bytes long; a checkpoint header is at most ${MAX_HEADER_BYTES}.`);
    }),
  );

  fuzz('header or data lengths beyond the file are refused as truncated, with the size declared', 200, () =>
    fc.property(fc.boolean(), fc.integer({ min: 1, max: 2 ** 32 - 1 }), (inHeader, extra) => {
      const [at, value] = inHeader ? [8, HEADER_BYTES + (extra % (MAX_HEADER_BYTES - HEADER_BYTES)) + 1] : [12, Math.min(2 ** 32 - 1, DATA_BYTES + extra)];
      const declared = FILE.length + (value - (inHeader ? HEADER_BYTES : DATA_BYTES));
      expect(refusal(withU32(FILE, at, value)).message).toBe(`The checkpoint is truncated: it has ${FILE.length} bytes, its header says ${declared}.`);
    }),
  );

  // The two lengths still add up to the file and the CRC is valid: only the header/data split
  // moved, so the JSON or its tensor table must be what refuses it.
  fuzz('a header/data boundary moved (lengths still summing to the file) is refused', 200, () =>
    fc.property(
      fc.integer({ min: -HEADER_BYTES, max: DATA_BYTES }).filter((s) => s !== 0),
      (shift) => {
        const moved = withU32(withU32(FILE, 8, HEADER_BYTES + shift), 12, DATA_BYTES - shift);
        expect(refusal(moved).message).toMatch(/^The checkpoint's header (is invalid|is not valid JSON)/);
      },
    ),
  );

  // One tensor's shape replaced by dims whose product is at least 2^31 (some round to Infinity),
  // in a file with true lengths and a valid CRC.
  const hugeDim = fc.oneof(fc.integer({ min: 2 ** 31, max: 2 ** 53 }), fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, 1e308));
  fuzz('tensor shapes declaring 2^31 elements or more, with a valid CRC, are refused without allocating them', 300, () =>
    fc.property(fc.nat(HEADER.tensors.length - 1), hugeDim, fc.array(fc.integer({ min: 1, max: 2 ** 16 }), { maxLength: 3 }), fc.nat(3), (i, big, rest, at) => {
      const shape = [...rest.slice(0, at), big, ...rest.slice(at)];
      const tensors = HEADER.tensors.map((t, k) => (k === i ? { ...t, shape } : t));
      const message = refusal(frame(JSON.stringify({ ...HEADER, tensors }))).message;
      expect(message).toMatch(/^The checkpoint's header is invalid: tensor \S+ of shape \[[\d,e+]+\] needs ([\d.e+]+|Infinity) bytes, but only \d+ of the file's \d+ data bytes are left\.$/);
    }),
  );

  // Any field (or a tensor's field) replaced by any JSON value or removed, the file re-framed
  // with true lengths and a valid CRC: refused, or — where the value is one masklab could have
  // written — decoded into tensors that exactly fill the data.
  const fields = ['format', 'config', 'step', 'vocab', 'history', 'activeMs', 'lrScale', 'savedAt', 'tensors'];
  const tensorFields = ['name', 'pool', 'shape', 'offset'];
  fuzz('hostile header fields are refused with a CheckpointError or decode consistently', 500, () =>
    fc.property(
      fc.oneof(
        fc.tuple(fc.constantFrom(...fields), fc.option(fc.jsonValue(), { nil: undefined })).map(([k, v]) => ({ ...HEADER, [k]: v })),
        fc.tuple(fc.nat(HEADER.tensors.length - 1), fc.constantFrom(...tensorFields), fc.option(fc.jsonValue(), { nil: undefined })).map(([i, k, v]) => ({
          ...HEADER,
          tensors: HEADER.tensors.map((t, j) => (j === i ? { ...t, [k]: v } : t)),
        })),
        fc.tuple(fc.constantFrom('metrics', 'evals', 'probes'), fc.jsonValue()).map(([k, v]) => ({ ...HEADER, history: { ...(HEADER.history as object), [k]: v } })),
        fc.tuple(fc.constantFrom('model', 'train', 'data', 'masking', 'objective'), fc.jsonValue()).map(([k, v]) => ({ ...HEADER, config: { ...(HEADER.config as object), [k]: v } })),
      ),
      (header) => {
        let decoded: CheckpointData;
        try {
          decoded = decodeCheckpoint(frame(JSON.stringify(header)));
        } catch (e) {
          if (e instanceof CheckpointError) return;
          throw e;
        }
        expect(Number.isInteger(decoded.step)).toBe(true);
        expect(typeof decoded.vocab).toBe('string');
        expect(decoded.history.metrics.every((p) => typeof p.step === 'number')).toBe(true);
        expect(decoded.tensors.reduce((a, t) => a + 4 * t.data.length, 0)).toBe(DATA_BYTES);
        for (const t of decoded.tensors) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      },
    ),
  );

  fuzz('headers nested deeper than the limit are refused by their depth, not by a stack overflow', 10, () =>
    fc.property(fc.integer({ min: MAX_HEADER_DEPTH + 1, max: 200_000 }), fc.constantFrom('[', '{"a":'), (depth, open) => {
      const close = open === '[' ? ']' : '}';
      const header = `{"format":"masklab-checkpoint","config":${open.repeat(depth)}${open === '[' ? '' : '1'}${close.repeat(depth)}}`;
      expect(refusal(frame(header)).message).toBe(`The checkpoint's header nests lists and objects deeper than ${MAX_HEADER_DEPTH} levels; masklab writes a handful.`);
    }),
  );

  // The depth scan must skip strings: a vocabulary full of brackets, quotes and backslashes is data.
  fuzz('brackets, quotes and backslashes inside strings do not count as nesting', 100, () =>
    fc.property(fc.string({ unit: fc.constantFrom('[', '{', ']', '}', '"', '\\', 'a', '\n'), minLength: MAX_HEADER_DEPTH + 1, maxLength: 400 }), (vocab) => {
      expect(decodeCheckpoint(encodeCheckpoint({ ...SAMPLE, vocab })).vocab).toBe(vocab);
    }),
  );

  fuzz('arbitrary bytes are refused with a CheckpointError', 1000, () =>
    fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      refusal(bytes);
    }),
  );

  fuzz('arbitrary bytes after a valid magic are refused with a CheckpointError', 1000, () =>
    fc.property(fc.uint8Array({ maxLength: 2048 }), (rest) => {
      const bytes = new Uint8Array(8 + rest.length);
      bytes.set(new TextEncoder().encode(CHECKPOINT_MAGIC));
      bytes.set(rest, 8);
      refusal(bytes);
    }),
  );

  fuzz('any header text and data in a valid frame (true lengths, valid CRC) is refused with a CheckpointError', 300, () =>
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json()), fc.uint8Array({ maxLength: 256 }), (header, data) => {
      refusal(frame(header, data));
    }),
  );
});
