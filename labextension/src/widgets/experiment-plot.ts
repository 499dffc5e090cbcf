/**
 * The Experiments panel's plot: a metric against a parameter (experiments/plot.ts lays it out),
 * drawn as SVG as the stage graph is, with the two columns picked in selects.
 */

import type { TranslationBundle } from '@jupyterlab/translation';

import type { ExperimentsModel } from '../experiments/model';
import { layoutPlot, PLOT_HEIGHT, PLOT_WIDTH, tickLabel } from '../experiments/plot';
import { h } from './stages';

const SVG = 'http://www.w3.org/2000/svg';

export function renderPlot(model: ExperimentsModel, trans: TranslationBundle): HTMLElement | null {
  const data = model.data!;
  const param = model.plotParam;
  const metric = model.plotMetric;
  if (param === null || metric === null || data.experiments.length < 2) {
    return null;
  }
  const layout = layoutPlot(data.experiments, param, metric);
  if (layout.points.length < 2) {
    return null;
  }
  const select = (options: string[], chosen: string, onPick: (v: string) => void) => {
    const s = h('select', { className: 'nb2pipe-exp-axis' });
    for (const o of options) {
      const option = h('option', { text: o });
      option.value = o;
      option.selected = o === chosen;
      s.append(option);
    }
    s.addEventListener('change', () => onPick(s.value));
    return s;
  };
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'nb2pipe-exp-plot');
  svg.setAttribute('viewBox', `0 0 ${PLOT_WIDTH} ${PLOT_HEIGHT}`);
  svg.setAttribute('width', String(PLOT_WIDTH));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', trans.__('%1 against %2', metric, param));
  const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) {
      node.setAttribute(k, String(v));
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    svg.appendChild(node);
    return node;
  };
  const { left, right, top, bottom } = layout;
  el('path', { class: 'nb2pipe-exp-frame', d: `M${left},${top} V${bottom} H${right}` });
  for (const t of layout.xTicks) {
    el(
      'text',
      { class: 'nb2pipe-exp-tick', x: t.at, y: bottom + 14, 'text-anchor': 'middle' },
      tickLabel(t.value)
    );
  }
  for (const t of layout.yTicks) {
    el(
      'text',
      { class: 'nb2pipe-exp-tick', x: left - 4, y: t.at + 3, 'text-anchor': 'end' },
      tickLabel(t.value)
    );
  }
  const best = model.best;
  for (const p of layout.points) {
    const dot = el('circle', {
      class: p.rev === best ? 'nb2pipe-exp-point nb2pipe-best' : 'nb2pipe-exp-point',
      cx: p.x,
      cy: p.y,
      r: p.rev === best ? 4.5 : 3.5
    });
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${p.name}: ${param}=${p.px}, ${metric}=${p.py}`;
    dot.appendChild(title);
  }
  return h(
    'div',
    { className: 'nb2pipe-exp-plot-box' },
    h(
      'div',
      { className: 'nb2pipe-row' },
      select(data.metric_columns, metric, v => model.setPlot(null, v)),
      h('span', { className: 'nb2pipe-heading', text: trans.__('against') }),
      select(data.param_columns, param, v => model.setPlot(v, null))
    ),
    svg
  );
}
