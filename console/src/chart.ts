import { h, svg } from './dom.js';
import { clock } from './format.js';

export interface MinuteCounts {
  minute: string;
  completed: number;
  failed: number;
}

const WIDTH = 720;
const HEIGHT = 200;
const LEFT = 36;
const BOTTOM = 22;

/** Completed (stacked under failed) per minute, built with DOM calls: no innerHTML, no inline style. */
export function minuteChart(minutes: MinuteCounts[]): HTMLElement {
  const max = Math.max(1, ...minutes.map((m) => m.completed + m.failed));
  const plotWidth = WIDTH - LEFT - 4;
  const plotHeight = HEIGHT - BOTTOM - 8;
  const slot = plotWidth / Math.max(1, minutes.length);
  const y = (n: number) => (n / max) * plotHeight;
  const completed = minutes.reduce((sum, m) => sum + m.completed, 0);
  const failed = minutes.reduce((sum, m) => sum + m.failed, 0);
  const description = `Dernière heure : ${completed} terminées, ${failed} échouées ; au plus ${max} en une minute.`;

  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': description, class: 'chart' }, svg('title', {}, description));
  chart.appendChild(svg('line', { x1: LEFT, y1: HEIGHT - BOTTOM, x2: WIDTH - 4, y2: HEIGHT - BOTTOM, class: 'axis' }));
  chart.appendChild(svg('text', { x: LEFT - 6, y: 14, 'text-anchor': 'end', class: 'tick' }, String(max)));
  chart.appendChild(svg('text', { x: LEFT - 6, y: HEIGHT - BOTTOM, 'text-anchor': 'end', class: 'tick' }, '0'));
  minutes.forEach((m, i) => {
    const x = LEFT + i * slot + 1;
    const base = HEIGHT - BOTTOM;
    const width = Math.max(1, slot - 2);
    if (m.completed > 0) chart.appendChild(svg('rect', { x, y: base - y(m.completed), width, height: y(m.completed), class: 'bar-completed' }));
    if (m.failed > 0) chart.appendChild(svg('rect', { x, y: base - y(m.completed) - y(m.failed), width, height: y(m.failed), class: 'bar-failed' }));
    if (i % 15 === 0 || i === minutes.length - 1) {
      const anchor = i === 0 ? 'start' : i === minutes.length - 1 ? 'end' : 'middle';
      chart.appendChild(svg('text', { x: anchor === 'end' ? x + width : x, y: HEIGHT - 6, 'text-anchor': anchor, class: 'tick' }, clock(m.minute)));
    }
  });
  const legend = h(
    'p',
    { class: 'legend' },
    h('span', { class: 'key key-completed', attrs: { 'aria-hidden': 'true' } }),
    ` Terminées (${completed}) `,
    h('span', { class: 'key key-failed', attrs: { 'aria-hidden': 'true' } }),
    ` Échouées (${failed})`,
  );
  return h('figure', { class: 'chart-figure' }, chart, legend);
}
