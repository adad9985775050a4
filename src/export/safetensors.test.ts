import { describe, expect, it } from 'vitest';
import { readSafetensors, readSafetensorsFile, writeSafetensors } from './safetensors.ts';

/** A file with any header text and data bytes (header not padded unless the text is). */
function craft(header: Uint8Array | string | object, data: Uint8Array | number = 0, headerLength?: number): Uint8Array {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const dataBytes = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + json.length + dataBytes.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  out.set(json, 8);
  out.set(dataBytes, 8 + json.length);
  return out;
}

const f32 = (name: string, shape: number[], begin: number, end = begin + shape.reduce((a, b) => a * b, 1) * 4) => ({ [name]: { dtype: 'F32', shape, data_offsets: [begin, end] } });

describe('safetensors', () => {
  it('round-trips names, shapes, values (NaN, ±0, ±Inf, subnormals) and metadata', () => {
    const weird = Float32Array.from([Number.NaN, -0, 0, Infinity, -Infinity, 1.4e-45, 3.4028234663852886e38, -1.5]);
    const backing = new Float32Array(20).map((_, i) => i * 0.25 - 1);
    const tensors = [
      { name: 'a.weight', shape: [2, 4], data: weird },
      { name: 'b', shape: [3, 2], data: backing.subarray(5, 11) }, // a view with a byte offset
      { name: 'scalar', shape: [], data: Float32Array.of(7) },
      { name: 'empty', shape: [0, 3], data: new Float32Array(0) },
      { name: '__proto__', shape: [1], data: Float32Array.of(2) },
    ];
    const bytes = writeSafetensors(tensors, { format: 'pt', producer: 'masklab' });
    const file = readSafetensorsFile(bytes);
    expect(file.metadata).toEqual({ format: 'pt', producer: 'masklab' });
    expect([...file.tensors.keys()]).toEqual(['a.weight', 'b', 'scalar', 'empty', '__proto__']);
    for (const t of tensors) {
      const got = file.tensors.get(t.name)!;
      expect(got.shape).toEqual(t.shape);
      // Bit patterns, so −0 and NaN count too.
      expect(new Uint32Array(got.data.slice().buffer)).toEqual(new Uint32Array(t.data.slice().buffer));
    }
  });

  it('writes the documented layout: u64 LE header length, space padding to 8 bytes, LE float32 data', () => {
    const bytes = writeSafetensors([{ name: 'x', shape: [2], data: Float32Array.of(1, -2) }]);
    const view = new DataView(bytes.buffer);
    const n = Number(view.getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(JSON.parse(header)).toEqual({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    expect(header).toMatch(/^\{.*\} +$/); // this header's JSON is 57 bytes: 7 spaces pad it to 64
    // 1.0f = 0x3f800000 and -2.0f = 0xc0000000, little-endian.
    expect(Array.from(bytes.subarray(8 + n))).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    expect(readSafetensors(bytes).get('x')!.data).toEqual(Float32Array.of(1, -2));
  });

  it('reads a file whose data does not start 4-byte aligned (a writer that does not pad)', () => {
    const data = new Uint8Array(new Float32Array([1.5, -3]).buffer);
    let json = JSON.stringify(f32('w', [2], 0));
    while ((8 + json.length) % 4 !== 1) json += ' ';
    const bytes = craft(json, data);
    expect(readSafetensors(bytes).get('w')!.data).toEqual(Float32Array.of(1.5, -3));
  });

  it('reads tensors stored out of name order (only offsets order them)', () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const bytes = craft({ ...f32('second', [2], 4), ...f32('first', [1], 0) }, data);
    const t = readSafetensors(bytes);
    expect(t.get('first')!.data).toEqual(Float32Array.of(1));
    expect(t.get('second')!.data).toEqual(Float32Array.of(2, 3));
  });

  const refused: [string, () => Uint8Array, RegExp][] = [
    ['a file shorter than the length field', () => new Uint8Array(5), /file is 5 bytes; it needs at least the 8-byte header length/],
    ['a header length beyond the file', () => craft(f32('w', [1], 0), 4, 500), /header length 500 runs past the end of the file/],
    ['a header length over 100 MB', () => craft('{}', 0, 200_000_000), /header length 200000000 is over the 100000000-byte limit/],
    ['a header that is not JSON', () => craft('{"w": {"dtype": "F32",', 0), /header is not valid JSON/],
    ['a header that is not an object', () => craft('[1, 2]', 0), /header does not start with "\{"/],
    ['a header that is not UTF-8', () => craft(Uint8Array.of(0x7b, 0xff, 0x7d), 0), /header is not valid UTF-8/],
    ['dtype F16', () => craft({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4), /tensor "w" has dtype "F16"; only F32 is supported/],
    ['a shape that is not whole numbers', () => craft({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 4), /tensor "w": shape \[1.5\] is not a list of whole numbers/],
    ['offsets that are not a pair', () => craft({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4), /tensor "w": data_offsets \[0\] is not \[begin, end\]/],
    ['offsets that end before they begin', () => craft({ w: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, 4), /end before they begin/],
    ['shape × 4 ≠ byte length', () => craft(f32('w', [3], 0, 8), 8), /tensor "w": shape \[3\] × 4 bytes = 12 bytes, but data_offsets \[0, 8\] hold 8/],
    ['offsets past the data', () => craft(f32('w', [4], 0), 8), /tensor "w": data_offsets \[0, 16\] run past the data \(8 bytes\)/],
    ['overlapping tensors', () => craft({ ...f32('a', [2], 0), ...f32('b', [2], 4) }, 12), /tensors "a" and "b" overlap/],
    ['a gap between tensors', () => craft({ ...f32('a', [1], 0), ...f32('b', [1], 8) }, 12), /gap of 4 bytes between "a" \(ends at 4\) and "b" \(begins at 8\)/],
    ['a gap before the first tensor', () => craft(f32('a', [1], 4), 8), /gap of 4 bytes between \(start of data\) \(ends at 0\) and "a"/],
    ['bytes after the last tensor', () => craft(f32('a', [1], 0), 12), /8 bytes after the last tensor/],
    ['metadata that is not strings', () => craft({ __metadata__: { format: 1 } }, 0), /"__metadata__" must map strings to strings/],
  ];
  for (const [what, make, message] of refused) {
    it(`refuses ${what}`, () => {
      expect(() => readSafetensors(make())).toThrow(message);
    });
  }

  it('refuses to write a tensor whose data does not fill its shape, or a repeated name', () => {
    expect(() => writeSafetensors([{ name: 'w', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/"w" has 3 floats but shape \[2, 2\] needs 4/);
    const t = { name: 'w', shape: [1], data: new Float32Array(1) };
    expect(() => writeSafetensors([t, t])).toThrow(/"w" is reserved or appears twice/);
    expect(() => writeSafetensors([{ ...t, name: '__metadata__' }])).toThrow(/reserved/);
  });

  it('a file this reader accepts was padded by the writer, and every corruption of its length byte is caught', () => {
    const good = writeSafetensors([{ name: 'w', shape: [3], data: Float32Array.of(1, 2, 3) }], { format: 'pt' });
    for (const delta of [-8, -1, 1, 8]) {
      const bad = good.slice();
      const view = new DataView(bad.buffer);
      view.setBigUint64(0, view.getBigUint64(0, true) + BigInt(delta), true);
      expect(() => readSafetensors(bad)).toThrow(/safetensors: /);
    }
  });
});
