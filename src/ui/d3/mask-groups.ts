// Row layout for the token views (mask view, ELECTRA view): which tokens share one outline, and
// how a token piece is written on its chip. A 'unit' run is a whole masked word / span / n-gram
// (adjacent masked tokens with the same unit id); a 'plain' run is everything in between. Pure
// and DOM-free so it is unit-tested in Node. It deliberately does not decide colours (the views
// do) and does not merge a unit that an unmasked token interrupts: the model saw two blanks.

/** A half-open run of token positions [start, end) of one row. */
export interface TokenGroup {
  start: number;
  end: number;
  kind: 'unit' | 'plain';
}

/**
 * kinds (T) MASK_KIND per token, units (T) unit id per token (−1 = none) → runs covering 0..T
 * in order, with no gaps. A masked token without a unit id (−1) is a one-token unit: it is still
 * a blank the model filled, but −1 is "no unit", never a shared id, so two such tokens side by
 * side stay two units. An unmasked token is always plain, whatever its unit id says.
 */
export function groupUnits(kinds: number[], units: number[]): TokenGroup[] {
  const out: TokenGroup[] = [];
  const T = kinds.length;
  let i = 0;
  while (i < T) {
    const start = i;
    if (kinds[i] !== 0) {
      const unit = units[i] ?? -1;
      i++;
      if (unit >= 0) {
        while (i < T && kinds[i] !== 0 && units[i] === unit) i++;
      }
      out.push({ start, end: i, kind: 'unit' });
    } else {
      while (i < T && kinds[i] === 0) i++;
      out.push({ start, end: i, kind: 'plain' });
    }
  }
  return out;
}

/**
 * How a token is written on a chip. WordPiece continuations ("##ing") lose the "##" and are
 * drawn attached to the previous chip (cont), which reads as one word; whitespace tokens of the
 * character tokenizer get a visible symbol, since an empty chip says nothing.
 */
export function pieceLabel(token: string): { text: string; cont: boolean } {
  if (token.length > 2 && token.startsWith('##')) return { text: token.slice(2), cont: true };
  if (token === ' ') return { text: '␣', cont: false };
  if (token === '\n') return { text: '↵', cont: false };
  if (token === '\t') return { text: '⇥', cont: false };
  if (token.length === 0) return { text: '∅', cont: false };
  return { text: token, cont: false };
}
