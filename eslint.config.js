// Lint, including the architecture's one-way imports (design.md "Layers"):
//   ui, store → never gpu / model / shaders (the UI reads the store; the worker owns the GPU)
//   gpu       → nothing from the app (it knows no transformers)
//   model, masking, data, reference → never ui / store / train
//   masking   → never model (both build on gpu/op-context.ts; the model reads the masking config)
//   export    → never train (the engine calls the exporters, not the other way round)
//   train     → never bench (the bench drives the engine; entries such as src/headless.ts join them)
//   app code  → never the float64 references (tests' and the bench's checks) or a test helper
// Tests and test helpers (*testing.ts) may import across layers (they check one layer with
// another's help); the entries at src/'s top (main.tsx, headless.ts) may import any folder.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// ESLint replaces (does not merge) a rule's options when several blocks match a file, so each
// folder gets exactly one block listing all of its forbidden patterns.
// src/model/config.ts is the one exception: the run config and presets are plain data (no GPU)
// that the setup panel and URL parsing need.
const NO_GPU = {
  regex: '(^|/)(gpu|shaders)(/|$)|(^|/)model/(?!config\\.ts$)',
  message: 'The UI and store never touch the GPU or the model: read the store; send commands through train/client.',
};
const NO_ENGINE_INTERNALS = {
  regex: '(^|/)train/(worker|engine|headless)',
  message: 'The UI talks to the engine only through train/client and the store.',
};
const NO_CLIENT = { regex: '(^|/)train/client', message: 'train/client calls the store, not the other way round (no cycle).' };
const NO_APP = { regex: '^\\.\\./', message: 'src/gpu imports nothing from the app: pass what it needs in (e.g. a ShaderLibrary).' };
const NO_UI = {
  regex: '(^|/)(ui|store|train)(/|$)',
  message: 'Engine, masking, data and reference code never import the UI, the store or the training loop.',
};
const NO_MODEL = { regex: '(^|/)model/', message: 'Masking builds on src/gpu (op-context.ts), not on the model: the model reads the masking config, not the other way round.' };
const NO_TRAIN = { regex: '(^|/)train/', message: 'Exporters are pure (host arrays in, bytes out): the engine (src/train) calls them.' };
const NO_BENCH = { regex: '(^|/)bench/', message: 'The bench drives the engine, not the other way round: join them in an entry (src/headless.ts) instead.' };
const NO_REFERENCE = { regex: '(^|/)reference/', message: 'The float64 references are for tests and the bench’s equal-work checks: put shared code where the app can own it.' };
const NO_TEST_HELPERS = { regex: '(^|/|-)testing\\.ts$', message: 'App code never imports a test helper: move what it needs into a module of its own.' };
const NO_RUNTIME = {
  regex: '(^|/)(model|train|gpu|shaders|ui|store|export|data|reference)/',
  message: 'An objective’s spec is data every layer reads (model/config.ts included): keep engine code in its runtime module.',
};
const layer = (files, patterns) => ({
  files,
  ignores: ['**/*.test.ts', '**/*.test.tsx', '**/*testing.ts', '**/test-setup.ts'],
  rules: { 'no-restricted-imports': ['error', { patterns: [...patterns, NO_TEST_HELPERS] }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'dist-node/**', '.device/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'scratch/**', 'runs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: { project: ['./tsconfig.json', './tsconfig.node.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='layout'][value.value='auto']",
          message: "Declare bind-group layouts explicitly (gpu/pipelines.ts); never layout: 'auto'.",
        },
      ],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  layer(['src/ui/**', 'src/objectives/*/*.tsx'], [NO_GPU, NO_ENGINE_INTERNALS, NO_REFERENCE]),
  layer(['src/store/**'], [NO_GPU, NO_ENGINE_INTERNALS, NO_CLIENT, NO_REFERENCE]),
  layer(['src/gpu/**'], [NO_APP]),
  layer(['src/model/**', 'src/data/**', 'src/shaders/**'], [NO_UI, NO_REFERENCE]),
  layer(['src/masking/**'], [NO_UI, NO_MODEL, NO_REFERENCE]),
  layer(['src/reference/**'], [NO_UI]),
  layer(['src/export/**'], [NO_UI, NO_TRAIN, NO_REFERENCE]),
  layer(['src/train/**'], [NO_BENCH, NO_REFERENCE]),
  layer(['src/bench/**'], []),
  layer(['src/objectives/registry.ts', 'src/objectives/types.ts', 'src/objectives/*/spec.ts', 'src/objectives/*/dims.ts', 'src/objectives/metrics.ts', 'src/objectives/*/metrics.ts'], [NO_RUNTIME]),
  {
    files: ['src/**'],
    ignores: ['src/gpu/**', '**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='createBuffer']",
          message: 'Only src/gpu creates GPU buffers: ask the arena for a named range.',
        },
        {
          selector: "Property[key.name='layout'][value.value='auto']",
          message: "Declare bind-group layouts explicitly (gpu/pipelines.ts); never layout: 'auto'.",
        },
      ],
    },
  },
  {
    files: ['src/gpu/**', 'src/model/**', 'src/masking/**', 'src/data/**', 'src/train/**', 'src/reference/**', 'src/export/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Seeded code: use Rng from src/data/prng.ts.' }],
    },
  },
);
