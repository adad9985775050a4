#!/usr/bin/env bash
# Packs what `npm run bench:node` needs into .device/ (git-ignored), for a machine that has a GPU
# but no Node, Chromium or node_modules (the `device` tool's machine): this Node binary and the
# Dawn build of the `webgpu` package, both xz-compressed, the bundled bench (dist-node), and the
# Brown corpus file. On that machine, from the repository root (with a Vulkan loader, see README):
#   bash .device/run.sh --peers --presets bert-micro,bert-tiny --out "$OUT/peers-gpu.json"
# It does not run anything on the GPU here.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsx cli/build-corpus.ts
npx vite build -c vite.node.config.ts
rm -rf .device
mkdir -p .device/node_modules/webgpu/dist/linux-x64 .device/public/data
cp dist-node/node-bench.mjs .device/
cp node_modules/webgpu/index.js node_modules/webgpu/package.json .device/node_modules/webgpu/
xz -T0 -c node_modules/webgpu/dist/linux-x64/dawn.node > .device/node_modules/webgpu/dist/linux-x64/dawn.node.xz
xz -T0 -c "$(command -v node)" > .device/node.xz
cp public/data/brown.json .device/public/data/
cat > .device/run.sh <<'RUN'
#!/usr/bin/env bash
# Unpacks on first use, then runs the bench with this folder as the repository root (Brown corpus).
set -euo pipefail
cd "$(dirname "$0")"
[ -x node ] || { xz -dc node.xz > node && chmod +x node; }
dawn=node_modules/webgpu/dist/linux-x64/dawn.node
[ -f "$dawn" ] || xz -dc "$dawn.xz" > "$dawn"
MASKLAB_ROOT=. exec ./node node-bench.mjs "$@"
RUN
chmod +x .device/run.sh
du -sh .device
