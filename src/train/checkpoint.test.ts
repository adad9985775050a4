import { describe, expect, it } from 'vitest';
import { Rng } from '../data/prng.ts';
import { PRESETS } from '../model/config.ts';
import { paramSpecs } from '../model/layout.ts';
import { checkpointMismatch, checkTensorLayout, CheckpointError, crc32, decodeCheckpoint, encodeCheckpoint, type CheckpointData } from './checkpoint.ts';

const micro = structuredClone(PRESETS.find((p) => p.id === 'bert-micro')!.config);
const V = 40;

function sample(): CheckpointData {
  const rng = new Rng(3, 1);
  const tensors = paramSpecs(micro.model, V).flatMap((s) =>
    (['param', 'm', 'v'] as const).map((pool) => ({ name: s.name, pool, shape: s.shape, data: Float32Array.from({ length: s.shape.reduce((a, b) => a * b, 1) }, () => rng.normal()) })),
  );
  return {
    config: micro,
    step: 7,
    vocab: '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n',
    history: { metrics: [{ step: 1, loss: 3.5, accuracy: 0.1, lr: 1e-3, gradNorm: 1, tokensPerSec: 10, elapsedMs: 5, mask: { targetRate: 0.15, achievedRate: 0.15, maskFrac: 0.8, randomFrac: 0.1, keepFrac: 0.1, meanUnitLength: 1, unitsPerSequence: 2, fallbackRows: 0 } }], evals: [] },
    activeMs: 1234,
    savedAt: '2026-11-22T10:00:00.000Z',
    tensors,
  };
}

function refusal(bytes: Uint8Array): CheckpointError {
  try {
    decodeCheckpoint(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(CheckpointError);
    return e as CheckpointError;
  }
  throw new Error('the file was accepted');
}

describe('checkpoint file', () => {
  it('round-trips every tensor bit for bit, with the setup, step, vocabulary and history', () => {
    const c = sample();
    const back = decodeCheckpoint(encodeCheckpoint(c));
    expect(back.config).toEqual(c.config);
    expect(back.step).toBe(7);
    expect(back.vocab).toBe(c.vocab);
    expect(back.history).toEqual(c.history);
    expect(back.activeMs).toBe(1234);
    expect(back.tensors.map((t) => `${t.pool}:${t.name}`)).toEqual(c.tensors.map((t) => `${t.pool}:${t.name}`));
    for (let i = 0; i < c.tensors.length; i++) expect(back.tensors[i]!.data).toEqual(c.tensors[i]!.data);
  });

  it("reads an older file's ELECTRA metric blocks as metrics by name", () => {
    const c = sample();
    const old = { ...c.history.metrics[0]!, electra: { auc: 0.8, discLoss: 0.3 } };
    const oldEval = { step: 1, loss: 2, accuracy: 0.2, count: 9, own: { loss: 2, accuracy: 0.2, count: 9 }, electra: { auc: 0.7 } };
    const back = decodeCheckpoint(encodeCheckpoint({ ...c, history: { metrics: [old], evals: [oldEval] } })).history;
    expect(back.metrics[0]!.values).toEqual({ auc: 0.8, discLoss: 0.3 });
    expect(back.metrics[0]).not.toHaveProperty('electra');
    expect(back.evals[0]!.values).toEqual({ auc: 0.7 });
  });

  it('reads a file that sits at an odd offset inside a larger buffer', () => {
    const bytes = encodeCheckpoint(sample());
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expect(decodeCheckpoint(big.subarray(3)).tensors[0]!.data).toEqual(sample().tensors[0]!.data);
  });

  it('crc32 is the standard IEEE CRC', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('refuses a random file as not a checkpoint', () => {
    const rng = new Rng(5, 2);
    const junk = Uint8Array.from({ length: 5000 }, () => rng.int(256));
    expect(refusal(junk).message).toMatch(/not a masklab checkpoint: it does not start with "MLCKPT01"/);
    expect(refusal(new TextEncoder().encode('{"hello": 1}')).message).toMatch(/not a masklab checkpoint/);
    expect(refusal(new Uint8Array(0)).message).toMatch(/not a masklab checkpoint/);
  });

  it('refuses another format version with the version it has', () => {
    const bytes = encodeCheckpoint(sample());
    bytes.set(new TextEncoder().encode('02'), 6);
    expect(refusal(bytes).message).toMatch(/format version 02; this version of masklab reads 01/);
  });

  it('refuses a truncated file, saying how many bytes it has and should have', () => {
    const bytes = encodeCheckpoint(sample());
    const e = refusal(bytes.subarray(0, bytes.length - 100));
    expect(e.message).toBe(`The checkpoint is truncated: it has ${bytes.length - 100} bytes, its header says ${bytes.length}.`);
    expect(e.hint).toMatch(/download the checkpoint again/);
    expect(refusal(bytes.subarray(0, 12)).message).toMatch(/truncated: 12 bytes/);
  });

  it('refuses bytes after the end', () => {
    const bytes = encodeCheckpoint(sample());
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(refusal(longer).message).toMatch(/8 unexpected bytes after its end/);
  });

  it('refuses a file with one flipped bit by its checksum', () => {
    const bytes = encodeCheckpoint(sample());
    bytes[bytes.length - 4000]! ^= 0x10; // inside the tensor data
    expect(refusal(bytes).message).toMatch(/The checkpoint is corrupt: its CRC-32 is 0x[0-9a-f]{8}, but it was saved with 0x[0-9a-f]{8}/);
  });

  it('refuses a header whose tensors do not add up, even with a valid checksum', () => {
    const c = sample();
    const bytes = encodeCheckpoint(c);
    const view = new DataView(bytes.buffer);
    const headerBytes = view.getUint32(8, true);
    const json = new TextDecoder().decode(bytes.subarray(16, 16 + headerBytes));
    const edited = new TextEncoder().encode(json.replace('"shape":[40,32]', '"shape":[41,32]'));
    expect(edited.length).toBe(headerBytes);
    bytes.set(edited, 16);
    view.setUint32(bytes.length - 4, crc32(bytes.subarray(0, bytes.length - 4)), true);
    expect(refusal(bytes).message).toMatch(/header is invalid: tensor m:emb.wte starts at byte \d+, not \d+|header is invalid: its tensors need/);
  });
});

describe('checkpoint against a setup', () => {
  it('names every setting that differs in a way that changes the run', () => {
    const other = structuredClone(micro);
    other.model.C = 64;
    other.train.lr = 1e-3;
    other.masking = { strategy: 'span', params: {} };
    other.train.steps = 5000; // a longer run may continue from the file
    other.train.evalEvery = 10;
    expect(checkpointMismatch(micro, other)).toEqual([
      'masking.strategy: "random" in the file, "span" here',
      'model.C: 32 in the file, 64 here',
      'train.lr: 0.005 in the file, 0.001 here',
    ]);
    expect(checkpointMismatch(micro, structuredClone(micro))).toEqual([]);
  });

  it('compares the options of the objective the run trains, defaults filled in, and no other objective’s', () => {
    const electra = structuredClone(PRESETS.find((p) => p.id === 'electra-micro')!.config);
    const hotter = { ...structuredClone(electra), electra: { ...electra.electra, temperature: 2 } };
    expect(checkpointMismatch(electra, hotter)).toEqual(['electra.temperature: 1 in the file, 2 here']);
    // An MLM run does not care what its ELECTRA options would have been.
    expect(checkpointMismatch(micro, { ...structuredClone(micro), electra: hotter.electra })).toEqual([]);
    // A file written before an option existed reads it as its default.
    const older: Partial<typeof electra.electra> = { ...electra.electra };
    delete older.maskedOnly;
    expect(checkpointMismatch({ ...electra, electra: older as typeof electra.electra }, electra)).toEqual([]);
  });

  it('refuses tensors for another model: missing, reshaped or extra', () => {
    const c = sample();
    const specs = paramSpecs(micro.model, V);
    expect(() => checkTensorLayout(c.tensors, specs)).not.toThrow();
    expect(() => checkTensorLayout(c.tensors, paramSpecs({ ...micro.model, C: 64 }, V))).toThrow(/"emb.wte" has shape \[40, 32\]; this model needs \[40, 64\]/);
    expect(() => checkTensorLayout(c.tensors.filter((t) => !(t.pool === 'v' && t.name === 'l1.fc2.w')), specs)).toThrow(/no AdamW v "l1.fc2.w"/);
    expect(() => checkTensorLayout(c.tensors, specs.filter((s) => s.name !== 'head.bias'))).toThrow(/tensor "head.bias" that this model does not have/);
  });
});
