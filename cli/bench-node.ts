// `npm run bench:node -- [flags]`: bundles src/bench/node-bench.ts for Node (vite.node.config.ts)
// and runs it on Dawn, choosing the adapter like the other CLIs: MASKLAB_GPU=swiftshader (the
// default) points Dawn at the SwiftShader Vulkan driver Chromium ships, MASKLAB_GPU=hardware
// leaves the system's Vulkan driver to Dawn. Flags go to the bundle unchanged (see its --help).
// On a machine without Node, .device/run.sh (cli/device-bundle.sh) runs the bundle directly.
import { spawnSync } from 'node:child_process';
import { build } from 'vite';
import { dawnSwiftShaderEnv, gpuModeFromEnv } from './chromium.ts';
import { runCli } from './run.ts';

async function main(): Promise<number> {
  const mode = gpuModeFromEnv();
  const env = { ...process.env, ...(mode === 'swiftshader' ? dawnSwiftShaderEnv() : {}) };
  await build({ configFile: 'vite.node.config.ts' });
  const r = spawnSync(process.execPath, ['dist-node/node-bench.mjs', ...process.argv.slice(2)], { stdio: 'inherit', env });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

runCli(main);
