import { describe, expect, it } from 'vitest';
import { baselineTable, type BaselineRunFile } from './baseline-table.ts';

const label = 'each token id → its most frequent position in the first 500 training batches';
function run(source: string, eta: number, accuracy: number, posError: number): BaselineRunFile {
  return {
    config: { objective: 'position', model: { T: 16 }, train: { steps: 300, seed: 2 }, data: { source, tokenizer: 'char' }, position: { eta } },
    run: {
      baselines: [
        { metric: 'accuracy', short: 'per token id', label, value: 0.2 },
        { metric: 'posError', short: 'per token id', label, value: 4 },
        { metric: 'accuracy', short: 'per id and length', label: 'each (token id, row length) → …', value: 0.25 },
      ],
    },
    evals: [{ step: 150, accuracy: 0.1 }, { step: 300, accuracy, position: { posError } }],
  };
}

describe('baselineTable', () => {
  it('one row per run, the final eval beside each baseline, ✓ where it is beaten in the metric\'s direction', () => {
    const rows = baselineTable([run('synthetic-successor', 0, 0.9, 0.5), run('brown', 0.5, 0.19, 4.5)]).split('\n');
    expect(rows[0]).toBe('| data | T | parameters | steps | seed | held-out accuracy | accuracy: per token id | accuracy: per id and length | held-out posError | posError: per token id |');
    expect(rows[2]).toBe('| synthetic-successor | 16 | eta=0 | 300 | 2 | 0.900 | 0.200 ✓ | 0.250 ✓ | 0.500 | 4.000 ✓ |');
    expect(rows[3]).toBe('| brown (char) | 16 | eta=0.5 | 300 | 2 | 0.190 | 0.200 | 0.250 | 4.500 | 4.000 |');
    expect(rows.at(-1)).toMatch(/^Baselines: \*per token id\*: each token id → its most frequent position in the first training batches; \*per id and length\*/);
  });

  it('marks each baseline on its own: one beaten, the other not', () => {
    const rows = baselineTable([run('brown', 0, 0.22, 3)]).split('\n');
    expect(rows[2]).toBe('| brown (char) | 16 | eta=0 | 300 | 2 | 0.220 | 0.200 ✓ | 0.250 | 3.000 | 4.000 ✓ |');
  });

  it('refuses files without baselines with a message that says what it needs', () => {
    const f = run('brown', 0.5, 0.2, 4);
    expect(() => baselineTable([{ ...f, run: {} }])).toThrow(/reports baselines/);
  });
});
