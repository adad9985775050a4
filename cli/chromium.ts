// Finds a Chromium to drive and the flags that give it WebGPU. One helper for the Vitest GPU
// project, the Playwright e2e config, the train/bench CLIs and CI, so they all agree.
// It does not launch anything and does not download browsers (that cannot work offline).
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright';

export type GpuMode = 'swiftshader' | 'hardware';

export class ChromiumNotFound extends Error {}

export interface ChromiumChoice {
  path: string;
  /** Where the path came from, printed by the CLI and the test runs. */
  source: 'CHROMIUM_PATH' | '/usr/bin/chromium' | 'playwright';
}

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** CHROMIUM_PATH, then the system Chromium, then a Playwright-installed browser. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumChoice {
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return { path: fromEnv, source: 'CHROMIUM_PATH' };
    throw new ChromiumNotFound(
      `CHROMIUM_PATH is set to ${fromEnv}, but no file is there. ` +
        'Point it at a Chromium or Chrome binary, or unset it to use /usr/bin/chromium.',
    );
  }
  for (const p of SYSTEM_PATHS) if (existsSync(p)) return { path: p, source: '/usr/bin/chromium' };
  let bundled = '';
  try {
    bundled = chromium.executablePath();
  } catch {
    bundled = '';
  }
  if (bundled && existsSync(bundled)) return { path: bundled, source: 'playwright' };
  throw new ChromiumNotFound(
    'No Chromium found. masklab tests and the CLI need Chromium 113+ with WebGPU.\n' +
      '  Debian/Ubuntu:  sudo apt-get install -y chromium\n' +
      '  or:             npx playwright install chromium\n' +
      '  or:             CHROMIUM_PATH=/path/to/chrome npm test',
  );
}

/**
 * MASKLAB_GPU=hardware uses the machine's GPU; anything else (the default) runs WebGPU on
 * SwiftShader, which works on machines without a GPU and gives the same adapter everywhere.
 */
export function gpuModeFromEnv(env: NodeJS.ProcessEnv = process.env): GpuMode {
  const v = (env.MASKLAB_GPU ?? 'swiftshader').toLowerCase();
  if (v === 'hardware' || v === 'gpu') return 'hardware';
  if (v === 'swiftshader' || v === '') return 'swiftshader';
  throw new Error(`MASKLAB_GPU=${v} is not understood: use "swiftshader" (default) or "hardware".`);
}

// Without the background-networking flags Chromium keeps dialling Google's hosts, which a closed
// network refuses many times a second; they change nothing a page can see.
const QUIET = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumArgs(mode: GpuMode): string[] {
  const webgpu =
    mode === 'swiftshader'
      ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader']
      : ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--ignore-gpu-blocklist'];
  return [...QUIET, ...webgpu];
}

/** Chromium with no WebGPU flags: navigator.gpu exists but no adapter is offered here. */
export function chromiumArgsWithoutWebGpu(): string[] {
  return [...QUIET];
}

/**
 * Environment that makes Dawn under Node (`npm run bench:node`) find a Vulkan device on a machine
 * without a GPU: Chromium ships SwiftShader's Vulkan driver beside its binary (Debian:
 * /usr/lib/chromium), so the same CPU adapter the browser tests use serves Node too.
 */
export function dawnSwiftShaderEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const dirs: string[] = [];
  try {
    dirs.push(dirname(realpathSync(findChromium(env).path)));
  } catch {
    // no Chromium: only the Debian location below is left to try
  }
  dirs.push('/usr/lib/chromium');
  const dir = dirs.find((d) => existsSync(join(d, 'vk_swiftshader_icd.json')));
  if (!dir) throw new ChromiumNotFound(`No SwiftShader Vulkan driver (vk_swiftshader_icd.json) in ${dirs.join(' or ')}: install Debian's chromium (apt-get install -y chromium), or run on a machine with a GPU.`);
  return { LD_LIBRARY_PATH: [dir, env.LD_LIBRARY_PATH].filter(Boolean).join(':'), VK_ICD_FILENAMES: join(dir, 'vk_swiftshader_icd.json') };
}
