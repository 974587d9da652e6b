/** One bar of a {@link ratioChartSvg} chart: a contender's figure as a ratio of the baseline's. */
export interface RatioBar {
  /** What was measured, e.g. `request/serve, 32 in flight`. */
  readonly label: string;
  /** The ratio to the baseline (1 = as fast as the baseline). */
  readonly ratio: number;
  /** The goal for this bar, drawn as a tick; omit for none. */
  readonly goal?: number;
}

/** A bar chart of ratios to a baseline, as the benchmark scripts commit beside the READMEs. */
export interface RatioChart {
  readonly title: string;
  /** Says exactly what was compared with what, e.g. `throughput, sockkit / raw node:dgram`. */
  readonly caption: string;
  readonly bars: readonly RatioBar[];
}

const WIDTH = 720;
const LABEL_WIDTH = 290;
const VALUE_WIDTH = 60;
const ROW_HEIGHT = 28;
const TOP = 56;
const BOTTOM = 28;

/**
 * Renders `chart` as a standalone SVG: one horizontal bar per ratio, a solid line at 1 (the
 * baseline) and a tick at each bar's goal, so ratios can be compared by eye. Deterministic: the
 * same figures give the same bytes, so a committed chart only changes when the figures do.
 */
export function ratioChartSvg(chart: RatioChart): string {
  const scaleMax = Math.max(1.2, ...chart.bars.flatMap((bar) => [bar.ratio, bar.goal ?? 0])) * 1.05;
  const plotWidth = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 20;
  const x = (ratio: number): number => LABEL_WIDTH + (Math.max(0, ratio) / scaleMax) * plotWidth;
  const height = TOP + chart.bars.length * ROW_HEIGHT + BOTTOM;
  const rows = chart.bars.map((bar, index) => {
    const y = TOP + index * ROW_HEIGHT;
    const met = bar.goal === undefined || bar.ratio >= bar.goal;
    const parts = [
      `<text x="${LABEL_WIDTH - 8}" y="${y + 18}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 5}" width="${(x(bar.ratio) - LABEL_WIDTH).toFixed(1)}" height="${ROW_HEIGHT - 10}" fill="${met ? '#3b82f6' : '#f59e0b'}"/>`,
      `<text x="${(x(bar.ratio) + 6).toFixed(1)}" y="${y + 18}">${bar.ratio.toFixed(2)}x</text>`,
    ];
    if (bar.goal !== undefined) {
      const goalX = x(bar.goal).toFixed(1);
      parts.push(
        `<line x1="${goalX}" x2="${goalX}" y1="${y + 2}" y2="${y + ROW_HEIGHT - 2}" stroke="#111" stroke-width="2" stroke-dasharray="3 2"><title>goal ${bar.goal}x</title></line>`,
      );
    }
    return parts.join('\n  ');
  });
  const baseline = x(1).toFixed(1);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="13">
  <title>${escapeXml(chart.title)}</title>
  <rect width="100%" height="100%" fill="#fff"/>
  <text x="12" y="22" font-size="16" font-weight="bold">${escapeXml(chart.title)}</text>
  <text x="12" y="42" fill="#444">${escapeXml(chart.caption)}</text>
  ${rows.join('\n  ')}
  <line x1="${baseline}" x2="${baseline}" y1="${TOP - 4}" y2="${height - BOTTOM + 4}" stroke="#111"/>
  <text x="${baseline}" y="${height - 8}" text-anchor="middle">1x baseline</text>
  <text x="${WIDTH - 12}" y="${height - 8}" text-anchor="end" fill="#444">dashed: goal · amber: goal missed</text>
</svg>
`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
