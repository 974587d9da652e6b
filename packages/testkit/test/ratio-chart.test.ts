import { describe, expect, it } from 'vitest';
import { ratioChartSvg } from '../src/index.ts';

describe('ratioChartSvg', () => {
  const chart = {
    title: 'round trips <fast> & slow',
    caption: 'sockkit / raw',
    bars: [
      { label: 'one in flight', ratio: 0.5, goal: 0.8 },
      { label: 'many in flight', ratio: 0.9, goal: 0.8 },
      { label: 'no goal', ratio: 2 },
    ],
  };

  it('draws one bar per ratio, coloured by whether it met its goal, with XML escaped', () => {
    const svg = ratioChartSvg(chart);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('round trips &#60;fast&#62; &#38; slow');
    expect(svg).toContain('<title>round trips &#60;fast&#62; &#38; slow</title>'); // the chart's accessible name
    expect(svg.match(/<rect x=/g)).toHaveLength(3);
    expect(svg.match(/fill="#f59e0b"/g)).toHaveLength(1);
    expect(svg.match(/<title>goal 0.8x<\/title>/g)).toHaveLength(2);
    expect(svg).toContain('>0.50x<');
    expect(svg).toContain('>2.00x<');
  });

  it('scales bars to the largest figure, so a bar twice as long means twice the ratio', () => {
    const widths = [...ratioChartSvg(chart).matchAll(/<rect x="\d+" y="\d+" width="([\d.]+)"/g)].map((m) =>
      Number(m[1]),
    );
    const [half, , double] = widths as [number, number, number];
    expect(double / half).toBeCloseTo(4, 1);
  });

  it('gives the same bytes for the same figures', () => {
    expect(ratioChartSvg(chart)).toBe(ratioChartSvg(structuredClone(chart)));
  });
});
