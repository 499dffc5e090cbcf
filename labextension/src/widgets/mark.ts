/** The badge of a stage mark (marks.ts) as SVG, for the graph and the stage list alike. */

import { MARK_PATHS, StageMark } from '../marks';

const SVG = 'http://www.w3.org/2000/svg';

/** A 16×16 badge: a neutral disc with the mark's own shape, at (x, y) when given. */
export function markBadge(mark: StageMark, x?: number, y?: number): SVGGElement {
  const g = document.createElementNS(SVG, 'g');
  g.setAttribute('class', 'nb2pipe-mark');
  g.dataset.mark = mark;
  if (x !== undefined && y !== undefined) {
    g.setAttribute('transform', `translate(${x},${y})`);
  }
  const disc = document.createElementNS(SVG, 'circle');
  disc.setAttribute('cx', '8');
  disc.setAttribute('cy', '8');
  disc.setAttribute('r', '7.5');
  g.appendChild(disc);
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', MARK_PATHS[mark]);
  path.setAttribute('transform', 'translate(2,2)');
  g.appendChild(path);
  return g;
}

/** The badge in an inline <svg>, for HTML. */
export function markIcon(mark: StageMark): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'nb2pipe-mark-icon');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.appendChild(markBadge(mark));
  return svg;
}
