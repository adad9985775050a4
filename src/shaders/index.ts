// Every .wgsl file in this folder, loaded as text with Vite's ?raw, named by its repo path so
// compile errors point at the file, plus the generated special_tokens.wgsl. Op launchers
// (src/model/ops) take their shaders from here.
import { specialTokensWgsl } from '../data/special-tokens.ts';
import type { Gpu } from '../gpu/device.ts';
import { createOpContext, type OpContext } from '../gpu/op-context.ts';
import type { ShaderLibrary, ShaderSource } from '../gpu/shaders.ts';

const files = import.meta.glob<string>('./*.wgsl', { query: '?raw', import: 'default', eager: true });

const byFile = new Map<string, ShaderSource>(
  Object.entries(files).map(([path, code]) => {
    const file = path.replace(/^\.\//, '');
    return [file, { name: `src/shaders/${file}`, code }];
  }),
);
// Generated, not a file: the special token ids come from their one TypeScript source.
byFile.set('special_tokens.wgsl', { name: 'src/data/special-tokens.ts (special_tokens.wgsl)', code: specialTokensWgsl() });

/** The shader `file` (e.g. "reduce.wgsl"); throws if there is no such file. */
export function shader(file: string): ShaderSource {
  const s = byFile.get(file);
  if (!s) throw new Error(`no shader src/shaders/${file} (have: ${[...byFile.keys()].join(', ')})`);
  return s;
}

/** Resolves `//!include file.wgsl` lines. */
export const shaderLibrary: ShaderLibrary = (file) => byFile.get(file);

export function allShaders(): ShaderSource[] {
  return [...byFile.values()];
}

/** The op context every launcher of the app uses: pipelines compiled from this folder's shaders. */
export function opContext(gpu: Gpu): OpContext {
  return createOpContext(gpu, shaderLibrary);
}
