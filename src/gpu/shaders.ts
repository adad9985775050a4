// Turns WGSL text into shader modules and makes compile errors name the file and line they are in.
// A shader may pull in shared code (e.g. the PRNG hash that masking and sampling share) with a
// line `//!include prng.wgsl`; composed lines are mapped back to their own file for errors.
// This file knows nothing about which shaders exist: the caller passes a ShaderLibrary.

import type { Gpu } from './device.ts';
import { GpuError } from './errors.ts';

export interface ShaderSource {
  /** Repo-relative path, e.g. "src/shaders/reduce.wgsl": what errors print. */
  name: string;
  code: string;
}

/** Looks up an included file by its bare file name (e.g. "prng.wgsl"). */
export type ShaderLibrary = (file: string) => ShaderSource | undefined;

export interface ComposedShader {
  code: string;
  /** lineOrigin[i] is where line i+1 of `code` came from. */
  lineOrigin: { file: string; line: number }[];
}

const INCLUDE = /^\s*\/\/!include\s+(\S+)\s*$/;

/** Inlines `//!include` lines (each file once, depth-first) and records where each line came from. */
export function composeShader(src: ShaderSource, library?: ShaderLibrary): ComposedShader {
  const out: string[] = [];
  const lineOrigin: ComposedShader['lineOrigin'] = [];
  const seen = new Set<string>();
  const visit = (s: ShaderSource, stack: string[]): void => {
    seen.add(s.name);
    s.code.split('\n').forEach((text, i) => {
      const m = INCLUDE.exec(text);
      if (!m) {
        out.push(text);
        lineOrigin.push({ file: s.name, line: i + 1 });
        return;
      }
      const file = m[1]!;
      const inc = library?.(file);
      if (!inc) throw new GpuError('shader-compile', `${s.name}:${i + 1}: cannot include "${file}": no such shader file.`);
      if (stack.includes(inc.name)) {
        throw new GpuError('shader-compile', `${s.name}:${i + 1}: include cycle through ${inc.name}.`);
      }
      if (!seen.has(inc.name)) visit(inc, [...stack, inc.name]);
    });
  };
  visit(src, [src.name]);
  return { code: out.join('\n'), lineOrigin };
}

function formatMessages(composed: ComposedShader, messages: readonly GPUCompilationMessage[]): string {
  return messages
    .map((m) => {
      const origin = composed.lineOrigin[m.lineNum - 1];
      const where = origin ? `${origin.file}:${origin.line}:${m.linePos}` : `(line ${m.lineNum})`;
      return `${where}: ${m.type}: ${m.message}`;
    })
    .join('\n');
}

/**
 * Compiles one shader. Errors come back as a GpuError('shader-compile') whose message starts
 * with "path/file.wgsl:line:col: error: ..." for every error the compiler reported.
 */
export async function compileShader(gpu: Gpu, src: ShaderSource, library?: ShaderLibrary): Promise<GPUShaderModule> {
  const composed = composeShader(src, library);
  // The compile error is also raised as a device validation error; catch it here so it is
  // reported once, with file and line, instead of twice.
  gpu.device.pushErrorScope('validation');
  const module = gpu.device.createShaderModule({ code: composed.code, label: src.name });
  const info = await module.getCompilationInfo();
  const scoped = await gpu.device.popErrorScope();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    throw new GpuError('shader-compile', `WGSL compile failed:\n${formatMessages(composed, errors)}`);
  }
  if (scoped) throw new GpuError('shader-compile', `${src.name}: ${scoped.message}`);
  return module;
}

/**
 * `src` with some of its module-scope constants set: each `const NAME: u32 = …;` line named in
 * `consts` gets the value instead. For what WGSL `override` cannot vary: the sizes of
 * function-scope arrays (a thread's register block), which must be const-expressions. The
 * result is named "file{NAME=v,…}", so its module is cached apart from the file's.
 */
export function specialize(src: ShaderSource, consts: Readonly<Record<string, number>>): ShaderSource {
  const names = Object.keys(consts).sort();
  if (names.length === 0) return src;
  let code = src.code;
  for (const name of names) {
    const v = consts[name]!;
    if (!Number.isInteger(v) || v < 0) throw new Error(`specialize ${src.name}: ${name} = ${v} must be a non-negative integer`);
    const line = new RegExp(`^const ${name}: u32 = [^;]*;`, 'm');
    if (!line.test(code)) throw new Error(`specialize ${src.name}: no line "const ${name}: u32 = …;" to set`);
    code = code.replace(line, `const ${name}: u32 = ${v}u;`);
  }
  return { name: `${src.name}{${names.map((n) => `${n}=${consts[n]}`).join(',')}}`, code };
}
