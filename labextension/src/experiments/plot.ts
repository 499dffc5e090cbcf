/**
 * Pure: the small plot of a metric against a parameter, as plain numbers (widgets/experiments.ts
 * draws it as SVG). Only experiments with a number in both columns are points.
 */

import type { IExperiment } from '../types';
import { isNumber } from './values';

export const PLOT_WIDTH = 230;
export const PLOT_HEIGHT = 130;
const LEFT = 40;
const RIGHT = 8;
const TOP = 8;
const BOTTOM = 22;

export interface IPoint {
  rev: string;
  name: string;
  x: number;
  y: number;
  /** The values the point stands for, for its tooltip. */
  px: number;
  py: number;
}

export interface IPlot {
  points: IPoint[];
  /** The axes' ends: value and position. */
  xTicks: { value: number; at: number }[];
  yTicks: { value: number; at: number }[];
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function layoutPlot(rows: readonly IExperiment[], param: string, metric: string): IPlot {
  const usable = rows.filter(r => isNumber(r.params[param]) && isNumber(r.metrics[metric]));
  const xs = usable.map(r => r.params[param] as number);
  const ys = usable.map(r => r.metrics[metric] as number);
  const [x0, x1] = span(xs);
  const [y0, y1] = span(ys);
  const right = PLOT_WIDTH - RIGHT;
  const bottom = PLOT_HEIGHT - BOTTOM;
  const sx = (v: number) => round(LEFT + ((v - x0) / (x1 - x0)) * (right - LEFT));
  const sy = (v: number) => round(bottom - ((v - y0) / (y1 - y0)) * (bottom - TOP));
  return {
    points: usable.map((r, i) => ({
      rev: r.rev,
      name: r.name,
      x: sx(xs[i]),
      y: sy(ys[i]),
      px: xs[i],
      py: ys[i]
    })),
    xTicks: ends(xs).map(value => ({ value, at: sx(value) })),
    yTicks: ends(ys).map(value => ({ value, at: sy(value) })),
    left: LEFT,
    right,
    top: TOP,
    bottom
  };
}

/** The lowest and highest value (one when they are equal): the ticks. */
function ends(values: number[]): number[] {
  if (values.length === 0) {
    return [];
  }
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? [lo] : [lo, hi];
}

/** The range drawn: the values' own, widened a little so no point sits on the frame. */
function span(values: number[]): [number, number] {
  if (values.length === 0) {
    return [0, 1];
  }
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi === lo ? Math.abs(lo) * 0.1 || 1 : (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A tick's label: short, whatever the value's size. */
export function tickLabel(value: number): string {
  return Math.abs(value) >= 1000 || (value !== 0 && Math.abs(value) < 0.01)
    ? value.toExponential(1)
    : String(Math.round(value * 1000) / 1000);
}
