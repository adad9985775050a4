// One image under every image masking strategy, for the mask gallery view: each strategy's mask
// of image 0 at (seed, step), at the ratio the user set where the strategy has one (grid keeps 1
// of 4 whatever the ratio, and says so). Computed by the CPU twins (image.ts), which equal the
// GPU's masks bit for bit, so the gallery shows what training would draw.
// Not here: drawing (ui/d3/image-panels.ts).
import { IMAGE_STRATEGIES, parseImageMaskingConfig, type ImageStrategyId } from './image-registry.ts';
import { imageMaskPlan, type PatchGrid } from './image-tables.ts';
import { imageMasksReference } from './image.ts';

export interface GalleryMask {
  id: ImageStrategyId;
  name: string;
  /** (L) 1 = hidden. */
  mask: Uint32Array;
  hidden: number;
  /** What the panel prints under it: the ratio asked and what the strategy did with it. */
  note: string;
}

export function imageMaskGallery(grid: PatchGrid, ratio: number, seed: number, step: number): GalleryMask[] {
  const L = grid.gh * grid.gw;
  return IMAGE_STRATEGIES.map((s) => {
    const takesRatio = s.params.some((p) => p.key === 'ratio');
    const { config, problems } = parseImageMaskingConfig(s.id, takesRatio ? { ratio } : {});
    if (!config) throw new Error(`mask gallery: ${problems.map((p) => p.message).join(' ')}`);
    const { mask } = imageMasksReference(imageMaskPlan(config, grid, seed), 1, step);
    const hidden = mask.reduce((a, m) => a + m, 0);
    const share = `${hidden} of ${L} hidden (${Math.round((100 * hidden) / L)}%)`;
    return { id: s.id, name: s.name, mask, hidden, note: takesRatio ? share : `${share}: keeps 1 of every 4, whatever the ratio` };
  });
}
