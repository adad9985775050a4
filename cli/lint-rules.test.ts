// The architecture rules in eslint.config.js really fire: each forbidden import or call below is
// linted as if it stood in the named file, and must be reported; the allowed ones must not.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Type-aware rules need files on disk in a tsconfig; these snippets are virtual, so turn them off.
const eslint = new ESLint({
  overrideConfig: {
    languageOptions: { parserOptions: { project: null, projectService: false } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/await-thenable': 'off',
    },
  },
});

async function messages(code: string, filePath: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath });
  return (r?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('architecture lint rules', () => {
  it('ui and store may not import gpu or model code', async () => {
    expect((await messages("import { initGpu } from '../gpu/device.ts';\nvoid initGpu;\n", 'src/ui/Bad.tsx')).join()).toMatch(/never touch the GPU/);
    expect((await messages("import { x } from '../../model/bert.ts';\nvoid x;\n", 'src/ui/d3/bad.ts')).join()).toMatch(/never touch the GPU/);
    expect((await messages("import { x } from '../model/bert.ts';\nvoid x;\n", 'src/store/bad.ts')).join()).toMatch(/never touch the GPU/);
    expect((await messages("import { useGpuStore } from '../store/gpu.ts';\nvoid useGpuStore;\n", 'src/ui/Ok.tsx'))).toEqual([]);
    // The run config and presets are plain data: the one model file the UI may read.
    expect(await messages("import { PRESETS } from '../model/config.ts';\nvoid PRESETS;\n", 'src/ui/Ok.tsx')).toEqual([]);
    expect((await messages("import { x } from '../model/configure.ts';\nvoid x;\n", 'src/ui/Bad.tsx')).join()).toMatch(/never touch the GPU/);
  });

  it('an objective spec is data: it imports no engine code', async () => {
    expect((await messages("import { createBert } from '../../model/bert.ts';\nvoid createBert;\n", 'src/objectives/mlm/spec.ts')).join()).toMatch(/objective’s spec is data/);
    expect((await messages("import { x } from '../train/session.ts';\nvoid x;\n", 'src/objectives/registry.ts')).join()).toMatch(/objective’s spec is data/);
    expect(await messages("import { generatorDims } from './dims.ts';\nvoid generatorDims;\n", 'src/objectives/electra/spec.ts')).toEqual([]);
  });

  it('gpu imports nothing from the app', async () => {
    expect((await messages("import { shader } from '../shaders/index.ts';\nvoid shader;\n", 'src/gpu/bad.ts')).join()).toMatch(/imports nothing from the app/);
    expect(await messages("import { Gpu } from './device.ts';\nvoid Gpu;\n", 'src/gpu/ok.ts')).toEqual([]);
  });

  it('engine code may not import the ui, store or train loop', async () => {
    expect((await messages("import { useGpuStore } from '../store/gpu.ts';\nvoid useGpuStore;\n", 'src/model/bad.ts')).join()).toMatch(/never import the UI/);
  });

  it("only src/gpu creates buffers, nothing uses layout: 'auto', seeded code has no Math.random", async () => {
    const create = 'export function f(d: GPUDevice) { return d.createBuffer({ size: 4, usage: 0 }); }\n';
    expect((await messages(create, 'src/model/bad.ts')).join()).toMatch(/Only src\/gpu creates GPU buffers/);
    expect(await messages(create, 'src/gpu/ok.ts')).toEqual([]);
    const auto = "export const d = { layout: 'auto' };\n";
    expect((await messages(auto, 'src/gpu/bad.ts')).join()).toMatch(/never layout: 'auto'/);
    expect((await messages('export const r = Math.random();\n', 'src/masking/bad.ts')).join()).toMatch(/Seeded code/);
  });
});
