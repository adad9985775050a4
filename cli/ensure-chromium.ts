// First step of `npm test`: make sure a Chromium is there before three test runners each fail
// on their own. As root on a Debian-like machine it installs Debian's chromium (what CI and a
// fresh machine of ours need); anywhere else it only says what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { ChromiumNotFound, findChromium } from './chromium.ts';

function canAptInstall(): boolean {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  return spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
}

function main(): void {
  try {
    const found = findChromium();
    console.log(`chromium: ${found.path} (from ${found.source})`);
    return;
  } catch (e) {
    if (!(e instanceof ChromiumNotFound) || process.env.CHROMIUM_PATH || !canAptInstall()) {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    }
  }
  console.log('chromium: not found; installing Debian package "chromium" with apt-get ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  const found = findChromium();
  console.log(`chromium: ${found.path} (installed)`);
}

main();
