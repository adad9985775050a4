import { describe, expect, it } from 'vitest';
import bad from './testdata/bad.wgsl?raw';
import usesBrokenLib from './testdata/uses_broken_lib.wgsl?raw';
import brokenLib from './testdata/broken_lib.wgsl?raw';
import prngProbe from './testdata/prng_probe.wgsl?raw';
import { Arena, ArenaPlan } from './arena.ts';
import { StepEncoder } from './step-encoder.ts';
import { GpuError } from './errors.ts';
import { bindGroup, PipelineCache } from './pipelines.ts';
import { readF32, readU32 } from './readback.ts';
import { compileShader, type ShaderLibrary } from './shaders.ts';
import { testGpu } from './testing.ts';
import { allShaders, shaderLibrary } from '../shaders/index.ts';
import { hash4, Rng, toUnit } from '../data/prng.ts';

const testLib: ShaderLibrary = (file) =>
  file === 'broken_lib.wgsl' ? { name: 'src/gpu/testdata/broken_lib.wgsl', code: brokenLib } : shaderLibrary(file);

describe('shader compilation', () => {
  it('a WGSL error names the .wgsl file, line and message', async () => {
    const gpu = await testGpu();
    const err = await compileShader(gpu, { name: 'src/gpu/testdata/bad.wgsl', code: bad }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuError);
    const e = err as GpuError;
    console.log(e.message);
    expect(e.kind).toBe('shader-compile');
    expect(e.message).toMatch(/src\/gpu\/testdata\/bad\.wgsl:7:\d+: error: .*undeclared_value/);
  });

  it('an error inside an included file is reported at that file and line', async () => {
    const gpu = await testGpu();
    const cache = new PipelineCache(gpu, testLib);
    const err = await cache
      .kernel({ shader: { name: 'src/gpu/testdata/uses_broken_lib.wgsl', code: usesBrokenLib }, entry: 'main', bindings: ['storage'] })
      .catch((e: unknown) => e as GpuError);
    expect(err).toBeInstanceOf(GpuError);
    expect((err as GpuError).message).toMatch(/src\/gpu\/testdata\/broken_lib\.wgsl:3:\d+: error/);
  });

  it('every shader in src/shaders compiles', async () => {
    const gpu = await testGpu();
    const names: string[] = [];
    for (const s of allShaders()) {
      // A shader that enables an optional feature compiles only on devices that have it.
      const needs = [...s.code.matchAll(/^(?:\/\/!host )?enable (\w+);/gm)].map((m) => m[1]!);
      if (needs.some((f) => !gpu.device.features.has(f))) {
        console.log(`${s.name}: not compiled here (needs ${needs.join(', ')})`);
        continue;
      }
      // An include-only file names what its includer declares (//!host lines): compile it with them.
      const host = [...s.code.matchAll(/^\/\/!host (.*)$/gm)].map((m) => m[1]!);
      await compileShader(gpu, host.length ? { name: s.name, code: `${host.join('\n')}\n${s.code}` } : s, shaderLibrary);
      names.push(s.name);
    }
    expect(names).toContain('src/shaders/reduce.wgsl');
  });

  it('the pipeline cache returns the same kernel for the same shader, entry and constants', async () => {
    const gpu = await testGpu();
    const cache = new PipelineCache(gpu, shaderLibrary);
    const spec = { shader: { name: 'src/gpu/testdata/prng_probe.wgsl', code: prngProbe }, entry: 'main', bindings: ['storage', 'storage', 'storage'] as const };
    const a = await cache.kernel(spec);
    const b = await cache.kernel({ ...spec });
    expect(b).toBe(a);
    expect(cache.size).toBe(1);
  });

  it('the WGSL PRNG equals the TypeScript PRNG bit for bit', async () => {
    const gpu = await testGpu();
    const n = 4096;
    const rng = new Rng(99);
    const coords = new Uint32Array(n * 4);
    for (let i = 0; i < coords.length; i++) coords[i] = i % 7 === 0 ? 0xffffffff - i : rng.u32();
    const arena = Arena.build(gpu, new ArenaPlan().add('t', 'coords', [n, 4], 'u32').add('t', 'hashes', [n], 'u32').add('t', 'units', [n]));
    arena.write('coords', coords);
    const cache = new PipelineCache(gpu, shaderLibrary);
    const k = await cache.kernel({ shader: { name: 'src/gpu/testdata/prng_probe.wgsl', code: prngProbe }, entry: 'main', bindings: ['storage', 'storage', 'storage'] });
    const enc = new StepEncoder(gpu);
    enc.dispatch(k, bindGroup(gpu, k, [arena.get('coords'), arena.get('hashes'), arena.get('units')]), Math.ceil(n / 64));
    enc.submit();
    const hashes = await readU32(gpu, arena.get('hashes'));
    const units = await readF32(gpu, arena.get('units'));
    let mismatches = 0;
    for (let i = 0; i < n; i++) {
      const h = hash4(coords[4 * i]!, coords[4 * i + 1]!, coords[4 * i + 2]!, coords[4 * i + 3]!);
      if (hashes[i] !== h || units[i] !== toUnit(h)) mismatches++;
    }
    expect(mismatches).toBe(0);
    arena.destroy();
  });
});
