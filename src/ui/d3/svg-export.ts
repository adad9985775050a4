// Export of a drawn chart: a standalone SVG document (computed styles inlined, the page's
// background behind it), a PNG rendered from that, and saving a blob as a download. Works on
// any <svg>; it knows of the line chart only that its hover overlay (.lc-overlay) is left out.
// Deliberately not here: drawing (line-chart.ts), choosing file names (chart-math.ts), React.

/** Presentation properties copied inline, so the file looks like the screen without our CSS. */
const INLINE = [
  'fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-opacity', 'stroke-dasharray', 'opacity',
  'font-family', 'font-size', 'font-weight', 'text-anchor', 'dominant-baseline', 'shape-rendering', 'display',
] as const;

/** The first non-transparent background behind el (the chart is light-on-dark). */
function backgroundOf(el: Element | null): string {
  for (let e = el; e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    if (bg && bg !== 'transparent' && bg !== 'rgba(0, 0, 0, 0)') return bg;
  }
  return '#0f172a';
}

/** Standalone SVG document (xmlns, inline computed styles, the page's background). */
export function svgToString(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src = [svg, ...svg.querySelectorAll('*')];
  const dst = [clone, ...clone.querySelectorAll('*')];
  const computed = new Map<Element, CSSStyleDeclaration>(src.map((el) => [el, getComputedStyle(el)]));
  src.forEach((el, i) => {
    const cs = computed.get(el)!;
    const parent = el === svg ? undefined : computed.get(el.parentElement!);
    // Write only what the file would not reproduce anyway (inherited from the parent, no
    // attribute of its own to override it, or the initial value of the two non-inherited ones):
    // keeps the file several times smaller.
    const needed = (p: (typeof INLINE)[number], v: string): boolean => {
      if (p === 'display') return v === 'none';
      if (p === 'opacity') return v !== '1';
      return v !== '' && (el.hasAttribute(p) || v !== parent?.getPropertyValue(p));
    };
    const out = dst[i] as SVGElement;
    out.removeAttribute('style');
    // Through the CSSOM, not setAttribute('style'): the app's CSP (style-src 'self', cli/csp.ts)
    // refuses style attributes written as markup; the serialized file is the same.
    for (const [p, v] of INLINE.map((p) => [p, cs.getPropertyValue(p)] as const)) if (needed(p, v)) out.style.setProperty(p, v);
  });
  clone.querySelector('.lc-overlay')?.remove();
  const { width, height } = svgSize(svg);
  clone.setAttributeNS('http://www.w3.org/2000/xmlns/', 'xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', backgroundOf(svg.parentElement));
  clone.insertBefore(bg, clone.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}`;
}

function svgSize(svg: SVGSVGElement): { width: number; height: number } {
  const r = svg.getBoundingClientRect();
  return { width: svg.width.baseVal.value || r.width, height: svg.height.baseVal.value || r.height };
}

/**
 * PNG at `scale`× the on-screen pixels. The SVG is serialized before this returns, so the caller
 * may redraw the chart right away (e.g. to drop a title it drew only for the export).
 */
export function svgToPng(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const text = svgToString(svg);
  const { width, height } = svgSize(svg);
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }));
    const img = new Image();
    img.onload = () => {
      try {
        const canvas = document.createElement('canvas');
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('This browser gave no 2D canvas to draw the PNG; use the SVG export instead.');
        ctx.scale(scale, scale);
        ctx.drawImage(img, 0, 0, width, height);
        canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The browser could not encode the PNG; use the SVG export instead.'))), 'image/png');
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      } finally {
        URL.revokeObjectURL(url);
      }
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('The chart could not be rendered to an image; use the SVG export instead.'));
    };
    img.src = url;
  });
}
