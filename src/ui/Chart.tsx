// React shell around the d3 line chart: a titled card with a one-line explanation, an optional
// log-scale toggle and PNG / SVG export. It owns the <svg>, measures its container and redraws
// when the props, the data version or the width change.
// Deliberately not here: reading the store, choosing series or colours (the caller passes
// ChartSeries with palette colours), and drawing (src/ui/d3/line-chart.ts does that).
import { useEffect, useRef, useState } from 'react';
import { chartFileName } from './d3/chart-math.ts';
import { drawLineChart, type ChartSeries, type LineChartSpec } from './d3/line-chart.ts';
import { downloadBlob } from '../store/files.ts';
import { svgToPng, svgToString } from './d3/svg-export.ts';
import './charts.css';

export interface ChartProps {
  title: string;
  /** One line saying what the chart shows. */
  explanation: string;
  series: ChartSeries[];
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  /** Show a "log" checkbox (starting at logY) so the reader can switch the y scale. */
  allowLog?: boolean;
  testId?: string;
  /** Changes when the series' arrays were updated in place (ring buffers), so we redraw. */
  version?: number;
  /** Pixels of the whole <svg>; width follows the container. */
  height?: number;
  /**
   * Draws something other than a line chart (e.g. d3/layer-bars.ts) into the same card, with the
   * same export buttons; `series` is then ignored and `points` sets the data-points attribute.
   */
  render?: (svg: SVGSVGElement, size: { width: number; height: number; title?: string }) => void;
  points?: number;
}

export function Chart(props: ChartProps) {
  const { title, explanation, series, xLabel, yLabel, allowLog, testId, version } = props;
  const height = props.height ?? 240;
  const wrapRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const [width, setWidth] = useState(0);
  const [logChecked, setLogChecked] = useState(!!props.logY);
  const [exportError, setExportError] = useState<string | null>(null);
  // Without the toggle the prop decides, and follows the caller's changes.
  const logY = allowLog ? logChecked : !!props.logY;

  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    const ro = new ResizeObserver((entries) => {
      const w = entries[0]?.contentRect.width;
      if (w !== undefined) setWidth(Math.floor(w));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const spec = (withTitle: boolean): LineChartSpec => ({
    series,
    xLabel,
    yLabel,
    logY,
    width,
    height,
    ...(withTitle ? { title } : {}),
  });

  const draw = (svg: SVGSVGElement, withTitle: boolean) => {
    if (props.render) props.render(svg, { width, height, ...(withTitle ? { title } : {}) });
    else drawLineChart(svg, spec(withTitle));
  };

  useEffect(() => {
    // width 0: not laid out yet (or hidden); drawing then would only produce a squashed frame.
    if (svgRef.current && width > 0) draw(svgRef.current, false);
    // `version` is a dependency on purpose: the arrays may change in place.
  }, [series, xLabel, yLabel, logY, width, height, version, props.render]);

  // The file carries the title (on screen it is HTML above the chart): draw it in, serialize,
  // draw it out again, all before the browser paints.
  const exportAs = (kind: 'svg' | 'png') => {
    const svg = svgRef.current;
    if (!svg || width <= 0) return;
    setExportError(null);
    draw(svg, true);
    try {
      if (kind === 'svg') {
        downloadBlob(new Blob([svgToString(svg)], { type: 'image/svg+xml' }), chartFileName(title, 'svg'));
      } else {
        svgToPng(svg, 2).then(
          (png) => downloadBlob(png, chartFileName(title, 'png')),
          (e: unknown) => setExportError(e instanceof Error ? e.message : String(e)),
        );
      }
    } finally {
      draw(svg, false);
    }
  };

  const points = props.points ?? series.reduce((m, s) => Math.max(m, s.x.length), 0);
  return (
    <section className="chart" data-testid={testId} data-points={points} data-series={series.length}>
      <header className="chart-head">
        <h3 className="chart-title">{title}</h3>
        <div className="chart-tools">
          {allowLog && (
            <label className="chart-log">
              <input type="checkbox" checked={logChecked} onChange={(e) => setLogChecked(e.target.checked)} /> log
            </label>
          )}
          <button type="button" className="chart-export" onClick={() => exportAs('png')} title={`Download “${title}” as PNG`}>
            PNG
          </button>
          <button type="button" className="chart-export" onClick={() => exportAs('svg')} title={`Download “${title}” as SVG`}>
            SVG
          </button>
        </div>
      </header>
      <p className="explain">{explanation}</p>
      <div className="chart-plot" ref={wrapRef} style={{ height }}>
        <svg ref={svgRef} role="img" aria-label={`${title}: ${explanation}`} />
      </div>
      {exportError && (
        <p className="chart-error" role="alert">
          {exportError}
        </p>
      )}
    </section>
  );
}
