// A procedural image set: one filled circle, square or triangle per grey image on a black
// background, for tests and an instant start (no download). Image n is a pure function of
// (seed, n, H, W, aa): its parameters come from Rng(seed, SHAPES_DOMAIN + n), so a set of N
// images is a prefix of a larger one with the same seed. Labels cycle circle, square,
// triangle (n % 3), so every class has ⌊N/3⌋ or ⌈N/3⌉ images and the held-out tail has all three.
// Shapes have EQUAL AREA for the same size draw, so area is no shortcut to the class; size is
// 4–25% of the image, rotation is uniform (squares, triangles), brightness 35–100%, and the
// whole shape lies inside the image. Edges are anti-aliased by aa×aa supersampling of the
// pixels the edge crosses (aa = 1: hard edges).
// Deliberately not here: noise, several shapes per image, colour, reading or writing files.

import type { ImageSet } from './images.ts';
import { Rng } from './prng.ts';

export const SHAPE_CLASSES = ['circle', 'square', 'triangle'] as const;
export type ShapeKind = (typeof SHAPE_CLASSES)[number];
const SHAPES_DOMAIN = 0x73686170; // 'shap': keeps these streams apart from other users of a seed

export interface ShapesOptions {
  seed: number;
  N?: number; // default 6000
  H?: number; // default 28
  W?: number; // default 28
  /** The last heldOut images are held out; default ⌊N/10⌋. */
  heldOut?: number;
  /** Supersamples per axis on edge pixels, 1..8; default 4. */
  aa?: number;
}

export interface ShapeParams {
  kind: ShapeKind;
  cx: number; // centre in pixels; pixel (y, x) covers [x, x+1) × [y, y+1)
  cy: number;
  side: number; // √area in pixels: equal area across kinds
  angle: number; // radians (circles ignore it)
  intensity: number; // 0..1 of full brightness (255)
}

/** Circle radius, and the radius of the circle around a square / equilateral triangle, per √area. */
const CIRCLE_R = 1 / Math.sqrt(Math.PI); // πr² = s²
const SQUARE_R = Math.SQRT1_2; // half diagonal of side s
const TRIANGLE_R = Math.sqrt(4 / Math.sqrt(3)) / Math.sqrt(3); // side a with (√3/4)a² = s², R = a/√3
const BOUND_R = { circle: CIRCLE_R, square: SQUARE_R, triangle: TRIANGLE_R } as const;

/** The draws for image n (label n % 3). */
export function shapeParams(seed: number, n: number, H: number, W: number): ShapeParams {
  const rng = new Rng(seed, (SHAPES_DOMAIN + n) >>> 0);
  const kind = SHAPE_CLASSES[n % 3]!;
  const m = Math.min(H, W);
  const side = m * (0.2 + 0.3 * rng.uniform()); // area 4%..25% of an m×m image
  const R = BOUND_R[kind] * side + 0.5; // + 0.5 keeps anti-aliased edges off the border
  const cx = R + (W - 2 * R) * rng.uniform();
  const cy = R + (H - 2 * R) * rng.uniform();
  const angle = 2 * Math.PI * rng.uniform();
  const intensity = 0.35 + 0.65 * rng.uniform();
  return { kind, cx, cy, side, angle, intensity };
}

/**
 * Signed distance (pixels, > 0 inside) from (x, y) to the shape; exact for the circle, the
 * minimum over edge lines for the convex polygons (exact inside, a lower bound of the true
 * distance outside, which is all the coverage test needs).
 */
function distanceFn(p: ShapeParams): (x: number, y: number) => number {
  const { cx, cy } = p;
  if (p.kind === 'circle') {
    const r = CIRCLE_R * p.side;
    return (x, y) => r - Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
  }
  const k = p.kind === 'square' ? 4 : 3;
  const apothem = BOUND_R[p.kind] * p.side * Math.cos(Math.PI / k); // centre to each edge
  const nx = new Float64Array(k);
  const ny = new Float64Array(k);
  for (let e = 0; e < k; e++) {
    const a = p.angle + ((e + 0.5) * 2 * Math.PI) / k; // outward normal of edge e
    nx[e] = Math.cos(a);
    ny[e] = Math.sin(a);
  }
  return (x, y) => {
    let d = Infinity;
    for (let e = 0; e < k; e++) d = Math.min(d, apothem - (x - cx) * nx[e]! - (y - cy) * ny[e]!);
    return d;
  };
}

/**
 * Rasterizes one shape into out (H, W) grey: a pixel whose centre is ≥ √2/2 inside every edge is
 * fully covered, one ≥ √2/2 outside any edge is empty, and only the rest are supersampled.
 * Only the shape's bounding box is visited; the rest of `out` is set to 0.
 */
export function drawShape(out: Uint8Array, H: number, W: number, p: ShapeParams, aa = 4): void {
  if (out.length !== H * W) throw new Error(`drawShape: out has ${out.length} pixels, H·W = ${H * W}.`);
  out.fill(0);
  const dist = distanceFn(p);
  const HALF_DIAG = Math.SQRT1_2;
  const peak = 255 * p.intensity;
  const R = BOUND_R[p.kind] * p.side;
  const [x0, x1] = [Math.max(0, Math.floor(p.cx - R)), Math.min(W, Math.ceil(p.cx + R))];
  const [y0, y1] = [Math.max(0, Math.floor(p.cy - R)), Math.min(H, Math.ceil(p.cy + R))];
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const d = dist(x + 0.5, y + 0.5);
      let cover: number;
      if (d >= HALF_DIAG) cover = 1;
      else if (d <= -HALF_DIAG) cover = 0;
      else {
        let hits = 0;
        for (let j = 0; j < aa; j++) for (let i = 0; i < aa; i++) if (dist(x + (i + 0.5) / aa, y + (j + 0.5) / aa) >= 0) hits++;
        cover = hits / (aa * aa);
      }
      out[y * W + x] = Math.round(peak * cover);
    }
  }
}

/** N shape images (N, H, W, 1) with labels circle/square/triangle; the last heldOut are held out. */
export function makeShapes(o: ShapesOptions): ImageSet {
  const N = o.N ?? 6000;
  const H = o.H ?? 28;
  const W = o.W ?? 28;
  const aa = o.aa ?? 4;
  const heldOut = o.heldOut ?? Math.floor(N / 10);
  if (!Number.isInteger(N) || N < 1) throw new Error(`makeShapes: N must be a positive integer (got ${N}).`);
  if (!Number.isInteger(H) || !Number.isInteger(W) || H < 8 || W < 8 || H > 1024 || W > 1024) throw new Error(`makeShapes: H and W must be integers in 8..1024 (got ${H}×${W}).`);
  if (!Number.isInteger(aa) || aa < 1 || aa > 8) throw new Error(`makeShapes: aa must be an integer in 1..8 (got ${aa}).`);
  if (!Number.isInteger(heldOut) || heldOut < 0 || heldOut > N) throw new Error(`makeShapes: heldOut must be an integer in 0..N (got ${heldOut}).`);
  const pixels = new Uint8Array(N * H * W);
  const labels = new Uint8Array(N);
  for (let n = 0; n < N; n++) {
    const p = shapeParams(o.seed, n, H, W);
    drawShape(pixels.subarray(n * H * W, (n + 1) * H * W), H, W, p, aa);
    labels[n] = SHAPE_CLASSES.indexOf(p.kind);
  }
  return { id: 'shapes', N, H, W, C: 1, pixels, labels, classNames: SHAPE_CLASSES, heldOut, source: `shapes seed ${o.seed >>> 0} aa ${aa}` };
}
