// The memory check on real plans, in Node: the layout and the check are pure, so the model's plan
// (model/layout.ts, without the kernels' scratch, which the builders add) is checked against
// stated limits. Limits are WebGPU's defaults unless a test derives tighter ones from the plan.
import { describe, expect, it } from 'vitest';
import { ArenaPlan, layoutArena, numelOf, poolBytes, type ArenaLimits } from './arena.ts';
import { GpuError } from './errors.ts';
import { checkMemory, DEFAULT_MEMORY_BUDGET, mib, type MemoryLimits, type PoolBytes } from './memory-plan.ts';
import { maxPredictions, presetConfig, type RunConfig } from '../model/config.ts';
import { electraSpecs } from '../model/electra-layout.ts';
import { planModel, planSpecs, POOLS } from '../model/layout.ts';
import { runAllowances } from '../model/run-memory.ts';

/** The WebGPU spec's default limits (what a device gets unless it asks for more). */
const DEFAULTS: ArenaLimits = { minStorageBufferOffsetAlignment: 256, maxBufferSize: 256 * 2 ** 20, maxStorageBufferBindingSize: 128 * 2 ** 20 };
const ALIGN = DEFAULTS.minStorageBufferOffsetAlignment;
const WEIGHT_POOLS = [POOLS.params, POOLS.grads, POOLS.m, POOLS.v];

/** A preset's model plan (its objective's); V is the configured vocabulary (the tokenizer's is at most that). */
function modelPlan(cfg: RunConfig): ArenaPlan {
  const shape = { model: cfg.model, V: cfg.data.vocabSize, B: cfg.train.batch, P: maxPredictions(cfg) };
  return cfg.objective === 'electra' ? planSpecs(electraSpecs({ ...shape, electra: cfg.electra })) : planModel(shape);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const poolSum = (p: PoolBytes) => sum(p.buffers);
const limitsWith = (l: ArenaLimits, budget = DEFAULT_MEMORY_BUDGET): MemoryLimits => ({ maxBufferSize: l.maxBufferSize, maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, budget });

describe('memory plan', () => {
  it('a bert-micro run fits WebGPU’s default limits and the default budget', () => {
    const cfg = presetConfig('bert-micro');
    const plan = modelPlan(cfg);
    const pools = poolBytes(layoutArena(plan, DEFAULTS));
    const alongside = runAllowances(cfg, cfg.data.vocabSize, plan.poolElements(POOLS.params, ALIGN) * 4, ALIGN);
    const v = checkMemory(pools, limitsWith(DEFAULTS), alongside);
    expect(v.ok).toBe(true);
    expect(v.problems).toEqual([]);
    expect(v.total).toBe(sum(pools.map(poolSum)) + sum(alongside.map((x) => x.bytes)));
    // Every pool is one buffer here, and the weight pools are marked to stay that way.
    for (const p of pools) expect(p.buffers, p.pool).toHaveLength(1);
    expect(pools.filter((p) => p.whole).map((p) => p.pool)).toEqual(WEIGHT_POOLS);
  });

  it('refuses a run over the budget, naming every pool and both the planned and available sizes', () => {
    const cfg = presetConfig('bert-micro');
    const plan = modelPlan(cfg);
    const pools = poolBytes(layoutArena(plan, DEFAULTS));
    const alongside = runAllowances(cfg, cfg.data.vocabSize, plan.poolElements(POOLS.params, ALIGN) * 4, ALIGN);
    const fits = checkMemory(pools, limitsWith(DEFAULTS), alongside);
    const budget = fits.total - 1; // one byte short of the plan
    const v = checkMemory(pools, limitsWith(DEFAULTS, budget), alongside);
    expect(v.ok).toBe(false);
    expect(v.total).toBe(fits.total);
    expect(v.message).toContain(`needs ${mib(fits.total)} of GPU memory, more than the ${mib(budget)} available`);
    for (const p of pools) expect(v.message).toContain(`${p.pool} ${mib(poolSum(p))}`);
    for (const x of alongside.filter((a) => a.bytes > 0)) expect(v.message).toContain(`${x.what} ${mib(x.bytes)}`);
    // The hint says what to change and names the largest part of the plan.
    const largest = [...pools.map((p) => ({ what: p.pool, bytes: poolSum(p) })), ...alongside].sort((a, b) => b.bytes - a.bytes)[0]!;
    expect(v.hint).toMatch(/smaller batch, sequence length or model/);
    expect(v.hint).toContain(`${largest.what} (${mib(largest.bytes)})`);
  });

  it('refuses a tensor larger than one binding before any pool is checked, naming it', () => {
    const plan = modelPlan(presetConfig('bert-micro'));
    const logits = plan.tensors.find((t) => t.name === 'head.logits')!;
    const big = Math.max(...plan.tensors.map((t) => numelOf(t.shape) * 4));
    expect(numelOf(logits.shape) * 4).toBe(big); // the MLM logits (B·P, V) are bert-micro's largest tensor
    const limits = { ...DEFAULTS, maxStorageBufferBindingSize: big - 4 };
    let err: unknown;
    try {
      layoutArena(plan, limits);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GpuError);
    expect((err as GpuError).kind).toBe('out-of-memory');
    expect((err as GpuError).message).toContain(`Tensor head.logits [${logits.shape.join('×')}] needs ${mib(big)}, but this GPU binds at most ${mib(big - 4)} at once.`);
  });

  it('splits a pool longer than maxBufferSize, but refuses a pool bound whole that does not fit one buffer', () => {
    // bert-micro at batch 8: its MLM logits (B·P, V) shrink below the parameters, so a cap can
    // sit between the largest tensor and the weight pools.
    const cfg = presetConfig('bert-micro');
    cfg.train.batch = 8;
    const plan = modelPlan(cfg);
    const params = plan.poolElements(POOLS.params, ALIGN) * 4;
    const acts = plan.poolElements(POOLS.acts, ALIGN) * 4;
    expect(acts).toBeGreaterThan(params); // so one cap can split acts and still refuse the weights
    const biggestTensor = Math.max(...plan.tensors.map((t) => numelOf(t.shape) * 4));
    expect(biggestTensor).toBeLessThan(params - 4);
    const limits = { ...DEFAULTS, maxBufferSize: params - 4 };
    const pools = poolBytes(layoutArena(plan, limits));
    const byName = new Map(pools.map((p) => [p.pool, p]));
    expect(byName.get(POOLS.acts)!.buffers.length).toBeGreaterThan(1);
    for (const b of byName.get(POOLS.acts)!.buffers) expect(b).toBeLessThanOrEqual(limits.maxBufferSize);
    for (const w of WEIGHT_POOLS) expect(byName.get(w)!.buffers, w).toEqual([Math.ceil(params / 4) * 4]);
    const v = checkMemory(pools, limitsWith(limits));
    expect(v.ok).toBe(false);
    expect(v.problems).toHaveLength(WEIGHT_POOLS.length);
    for (const w of WEIGHT_POOLS) expect(v.message).toContain(`Pool ${w} is bound as one range and needs ${mib(params)}, but this GPU creates buffers of at most ${mib(limits.maxBufferSize)} (maxBufferSize).`);
    expect(v.message).not.toContain(`Pool ${POOLS.acts} is bound`);
    expect(v.message).toContain(`${POOLS.acts} ${mib(acts)} in ${byName.get(POOLS.acts)!.buffers.length} buffers`);
  });

  it('refuses a whole pool that fits one buffer but not one binding', () => {
    const plan = new ArenaPlan().bindWhole('w').add('w', 'a', [1000]).add('w', 'b', [1000]);
    const limits = { ...DEFAULTS, maxStorageBufferBindingSize: 4000 }; // each tensor (4000 B) binds, the pool does not
    const pools = poolBytes(layoutArena(plan, limits));
    expect(pools).toEqual([{ pool: 'w', buffers: [4096 + 4000], whole: true }]); // b at the next 256-byte offset
    const v = checkMemory(pools, limitsWith(limits));
    expect(v.message).toContain(`Pool w is bound as one range and needs ${mib(8096)}, but this GPU binds at most ${mib(4000)} at once (maxStorageBufferBindingSize).`);
  });

  it('every preset fits the default budget with everything its run holds', () => {
    for (const id of ['bert-micro', 'bert-tiny', 'electra-micro', 'electra-tiny']) {
      const cfg = presetConfig(id);
      const plan = modelPlan(cfg);
      const pools = poolBytes(layoutArena(plan, DEFAULTS));
      const alongside = runAllowances(cfg, cfg.data.vocabSize, plan.poolElements(POOLS.params, ALIGN) * 4, ALIGN);
      const v = checkMemory(pools, limitsWith(DEFAULTS), alongside);
      console.log(`${id}: ${mib(v.total)} (${alongside.map((x) => `${x.what} ${mib(x.bytes)}`).join(', ')})`);
      expect(v.ok, id).toBe(true);
    }
  });
});
