/**
 * The stage graph as an SVG: one `g.nb2pipe-node[data-stage]` per stage (coloured like its cells'
 * stripes, state from the last run), one `g.nb2pipe-edge` per edge labelled with what flows.
 */

import type { TranslationBundle } from '@jupyterlab/translation';

import { colourVariable } from '../colours';
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH, shortLabel } from '../graph';
import { IStageMark, markText } from '../marks';
import type { IEdge } from '../types';
import { markBadge } from './mark';

const SVG = 'http://www.w3.org/2000/svg';

export interface IGraphInput {
  stages: readonly string[];
  edges: readonly IEdge[];
  colour: (stage: string) => number;
  state: (stage: string) => IStageMark;
  onClick: (stage: string) => void;
  trans: TranslationBundle;
}

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number> = {}
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) {
    node.setAttribute(key, String(value));
  }
  return node;
}

export function renderGraph(input: IGraphInput): SVGSVGElement {
  const layout = layoutGraph(input.stages, input.edges);
  const svg = el('svg', {
    class: 'nb2pipe-graph',
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    width: layout.width,
    role: 'img',
    'aria-label': input.trans.__('Stage graph')
  });
  const defs = el('defs');
  const marker = el('marker', {
    id: 'nb2pipe-arrow',
    viewBox: '0 0 10 10',
    refX: 9,
    refY: 5,
    markerWidth: 7,
    markerHeight: 7,
    orient: 'auto-start-reverse'
  });
  marker.appendChild(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'nb2pipe-arrow' }));
  defs.appendChild(marker);
  svg.appendChild(defs);

  for (const edge of layout.edges) {
    const g = el('g', { class: 'nb2pipe-edge', 'data-from': edge.from, 'data-to': edge.to });
    const title = el('title');
    title.textContent = `${edge.from} → ${edge.to}: ${edge.label}`;
    g.appendChild(title);
    g.appendChild(el('path', { d: edge.d, 'marker-end': 'url(#nb2pipe-arrow)' }));
    if (edge.label) {
      const text = el('text', { x: edge.labelX, y: edge.labelY, 'text-anchor': 'middle' });
      text.textContent = shortLabel(edge.label);
      g.appendChild(text);
    }
    svg.appendChild(g);
  }

  for (const node of layout.nodes) {
    const { mark, detail } = input.state(node.name);
    const g = el('g', {
      class: 'nb2pipe-node',
      'data-stage': node.name,
      'data-state': mark,
      transform: `translate(${node.x},${node.y})`,
      tabindex: 0
    });
    g.style.setProperty('--nb2pipe-stage-colour', colourVariable(input.colour(node.name)));
    const title = el('title');
    const said = [markText(mark, input.trans), detail].filter(Boolean).join(': ');
    title.textContent = input.trans.__(
      'stage %1%2: click to go to its first cell',
      node.name,
      said ? ` (${said})` : ''
    );
    g.appendChild(title);
    g.appendChild(el('rect', { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 4 }));
    // The state's badge sits on the node's left, on a disc of its own: readable on any colour.
    const marked = mark !== 'none';
    if (marked) {
      g.appendChild(markBadge(mark, 5, (NODE_HEIGHT - 16) / 2));
    }
    const text = el('text', {
      x: marked ? (NODE_WIDTH + 20) / 2 : NODE_WIDTH / 2,
      y: NODE_HEIGHT / 2,
      'text-anchor': 'middle'
    });
    text.setAttribute('dominant-baseline', 'central');
    text.textContent = shortLabel(node.name, marked ? 14 : 16);
    g.appendChild(text);
    g.addEventListener('click', () => input.onClick(node.name));
    g.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        input.onClick(node.name);
      }
    });
    svg.appendChild(g);
  }
  return svg;
}
