// The tuner's keys and how launchers read a choice, without a GPU: every family's key parses back
// to the shape it was made from (and refuses the others' keys), and chooseVariant prefers an
// explicit variant, then the device's choice, then the fallback, and rejects an unknown id.
import { describe, expect, it } from 'vitest';
import { KernelChoices } from '../../gpu/kernel-choices.ts';
import { chooseVariant, type OpContext } from '../../gpu/op-context.ts';
import { gradNormKey, parseGradNormKey } from './adamw.ts';
import { attentionKey, parseAttentionKey } from './attention.ts';
import { crossEntropyKey, parseCrossEntropyKey } from './crossentropy.ts';
import { layernormKey, parseLayernormKey } from './layernorm.ts';
import { matmulProductKey, parseMatmulProductKey } from './matmul.ts';

const keys = {
  layernorm: layernormKey('bwd', { R: 512, C: 32 }),
  crossentropy: crossEntropyKey({ M: 96, V: 21 }),
  gradnorm: gradNormKey({ N: 20181 }),
  attention: attentionKey('fwd', { B: 32, T: 16, C: 32, NH: 2 }),
  matmul: matmulProductKey({ transA: false, transB: true, rows: 512, inner: 32, cols: 96 }),
};

describe('tuner keys', () => {
  it('parse back to their shapes', () => {
    expect(keys).toEqual({ layernorm: 'layernorm bwd 512x32', crossentropy: 'crossentropy 96x21', gradnorm: 'gradnorm 20181', attention: 'attention fwd 32x16x32x2', matmul: 'matmul NT 512x32x96' });
    expect(parseLayernormKey(keys.layernorm)).toEqual({ pass: 'bwd', R: 512, C: 32 });
    expect(parseCrossEntropyKey(keys.crossentropy)).toEqual({ M: 96, V: 21 });
    expect(parseGradNormKey(keys.gradnorm)).toEqual({ N: 20181 });
    expect(parseAttentionKey(keys.attention)).toEqual({ pass: 'fwd', shape: { B: 32, T: 16, C: 32, NH: 2 } });
  });

  it("each family refuses the others' keys", () => {
    const parsers = [parseLayernormKey, parseCrossEntropyKey, parseGradNormKey, parseAttentionKey, parseMatmulProductKey];
    const own = Object.values(keys);
    parsers.forEach((parse, i) => own.forEach((k, j) => expect(parse(k) !== null).toBe(i === j)));
  });
});

describe('chooseVariant', () => {
  const ctx = (chosen?: string) => {
    const choices = new KernelChoices();
    if (chosen) choices.set('k', chosen);
    return { choices } as unknown as OpContext;
  };
  const V = ['a', 'b', 'c'] as const;

  it('explicit, then the tuner, then the fallback; the key is noted', () => {
    expect(chooseVariant(ctx('b'), 'k', V, 'c', 'a')).toBe('c');
    expect(chooseVariant(ctx('b'), 'k', V, undefined, 'a')).toBe('b');
    const c = ctx();
    expect(chooseVariant(c, 'k', V, undefined, 'a')).toBe('a');
    expect(c.choices.keys).toEqual(['k']);
  });

  it('an id the family does not have is an error that names it', () => {
    expect(() => chooseVariant(ctx('zz'), 'k', V, undefined, 'a')).toThrow(/k: no variant "zz" \(have a, b, c\)/);
  });
});
