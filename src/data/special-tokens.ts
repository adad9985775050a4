// The special token ids, fixed project-wide: the one source for the tokenizers, the model's
// initialisation, the masking references and, through the generated special_tokens.wgsl
// (src/shaders/index.ts), every shader that needs them. A leaf module: it imports nothing.

export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SEP_ID = 3;
export const MASK_ID = 4;
/** Their tokens, indexed by id. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
/** Ids below this are specials; ordinary tokens are ids ≥ NUM_SPECIAL. */
export const NUM_SPECIAL = 5;

/** The same ids as WGSL constants (PAD, UNK, CLS, SEP, MASK, FIRST_ORDINARY). */
export function specialTokensWgsl(): string {
  return [
    '// Generated from src/data/special-tokens.ts (src/shaders/index.ts): the special token ids.',
    `const PAD: u32 = ${PAD_ID}u;`,
    `const UNK: u32 = ${UNK_ID}u;`,
    `const CLS: u32 = ${CLS_ID}u;`,
    `const SEP: u32 = ${SEP_ID}u;`,
    `const MASK: u32 = ${MASK_ID}u;`,
    `const FIRST_ORDINARY: u32 = ${NUM_SPECIAL}u;`,
  ].join('\n');
}
