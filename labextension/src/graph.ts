/**
 * Layered top-to-bottom layout of the stage graph, as plain numbers (widgets/graph.ts draws it).
 * A stage sits one layer below the lowest of its upstream stages; a layer keeps notebook order.
 */

import type { IEdge } from './types';

export const NODE_WIDTH = 120;
export const NODE_HEIGHT = 26;
export const LAYER_GAP = 54; // room between two layers for the edge labels
export const NODE_GAP = 16;
export const MARGIN = 8;

export interface INodeBox {
  name: string;
  layer: number;
  x: number;
  y: number;
}

export interface IEdgePath {
  from: string;
  to: string;
  label: string;
  /** Cubic curve from the bottom of `from` to the top of `to`. */
  d: string;
  labelX: number;
  labelY: number;
}

export interface IGraphLayout {
  width: number;
  height: number;
  nodes: INodeBox[];
  edges: IEdgePath[];
}

export function layoutGraph(stages: readonly string[], edges: readonly IEdge[]): IGraphLayout {
  const position = new Map(stages.map((name, i) => [name, i]));
  // Only forward edges between known stages: the analysis reports anything else as a diagnostic.
  const usable = edges.filter(
    e => position.has(e.from) && position.has(e.to) && position.get(e.from)! < position.get(e.to)!
  );
  const layer = new Map<string, number>();
  for (const name of stages) {
    const ups = usable.filter(e => e.to === name).map(e => layer.get(e.from) ?? 0);
    layer.set(name, ups.length ? Math.max(...ups) + 1 : 0);
  }
  const layers: string[][] = [];
  for (const name of stages) {
    (layers[layer.get(name)!] ??= []).push(name);
  }
  const widest = Math.max(1, ...layers.map(l => l.length));
  const width = 2 * MARGIN + widest * NODE_WIDTH + (widest - 1) * NODE_GAP;
  const nodes: INodeBox[] = [];
  layers.forEach((names, k) => {
    const row = names.length * NODE_WIDTH + (names.length - 1) * NODE_GAP;
    const left = (width - row) / 2;
    names.forEach((name, j) => {
      nodes.push({
        name,
        layer: k,
        x: left + j * (NODE_WIDTH + NODE_GAP),
        y: MARGIN + k * (NODE_HEIGHT + LAYER_GAP)
      });
    });
  });
  const box = new Map(nodes.map(n => [n.name, n]));
  const paths = usable.map(e => edgePath(e, box.get(e.from)!, box.get(e.to)!));
  const height = 2 * MARGIN + layers.length * NODE_HEIGHT + (layers.length - 1) * LAYER_GAP;
  return { width, height: Math.max(height, 2 * MARGIN + NODE_HEIGHT), nodes, edges: paths };
}

function edgePath(edge: IEdge, from: INodeBox, to: INodeBox): IEdgePath {
  const x1 = from.x + NODE_WIDTH / 2;
  const y1 = from.y + NODE_HEIGHT;
  const x2 = to.x + NODE_WIDTH / 2;
  const y2 = to.y;
  const bend = (y2 - y1) / 2;
  const r = (v: number) => Math.round(v * 10) / 10;
  const skips = to.layer - from.layer > 1;
  return {
    from: edge.from,
    to: edge.to,
    label: edge.label,
    d: `M${r(x1)},${r(y1)} C${r(x1)},${r(y1 + bend)} ${r(x2)},${r(y2 - bend)} ${r(x2)},${r(y2)}`,
    // An edge that skips layers gets its label near its end, clear of the layers it passes.
    labelX: r(skips ? x2 : (x1 + x2) / 2),
    labelY: r(skips ? y2 - LAYER_GAP / 2 : (y1 + y2) / 2)
  };
}

/** A label that fits beside an edge; the whole text goes in a tooltip. */
export function shortLabel(label: string, max = 24): string {
  return label.length <= max ? label : label.slice(0, max - 1).trimEnd() + '…';
}
