/**
 * Pure: what the experiments view computes from plain values. The values a user types for a
 * parameter (typed like its current value; a comma list is a sweep), the order and the best row
 * of the table, and the parameters cell rewritten with an experiment's values.
 */

import type { IExperiment } from '../types';

/** The values typed for a parameter, or why they cannot be used. */
export type Parsed = { values: unknown[] } | { problem: string };

/**
 * `text` read as values of the same type as `current`: numbers stay numbers, true/false stay
 * booleans, text stays text. A comma between values makes a list: each one is an experiment.
 */
export function parseValues(text: string, current: unknown): Parsed {
  const parts = text.split(',').map(p => p.trim());
  if (parts.some(p => p === '')) {
    return { problem: 'a value is missing (between or after the commas)' };
  }
  const values: unknown[] = [];
  for (const part of parts) {
    if (typeof current === 'number') {
      const n = Number(part);
      if (!Number.isFinite(n)) {
        return { problem: `'${part}' is not a number` };
      }
      values.push(n);
    } else if (typeof current === 'boolean') {
      const lower = part.toLowerCase();
      if (lower !== 'true' && lower !== 'false') {
        return { problem: `'${part}' is not true or false` };
      }
      values.push(lower === 'true');
    } else if (typeof current === 'string') {
      values.push(part);
    } else {
      return { problem: 'only numbers, true/false and text can be changed here' };
    }
  }
  return { values: [...new Map(values.map(v => [JSON.stringify(v), v])).values()] };
}

/** How a value shows in an input and in the table (what parseValues reads back). */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** How many experiments a grid makes. */
export function gridSize(grid: Record<string, unknown[]>): number {
  return Object.values(grid).reduce((n, values) => n * values.length, 1);
}

export function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Rows ordered by `column` (a metric or a parameter); rows without a value in it last. */
export function sortedRows(
  rows: readonly IExperiment[],
  column: string | null,
  descending: boolean
): IExperiment[] {
  if (column === null) {
    return [...rows];
  }
  const value = (row: IExperiment) => row.metrics[column] ?? row.params[column];
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === undefined || y === undefined) {
      return x === undefined ? (y === undefined ? 0 : 1) : -1;
    }
    const order = isNumber(x) && isNumber(y) ? x - y : shownValue(x).localeCompare(shownValue(y));
    return descending ? -order : order;
  });
}

/** The rev of the best experiment by `metric` (highest, or lowest when `lowerIsBetter`). */
export function bestRev(
  rows: readonly IExperiment[],
  metric: string | null,
  lowerIsBetter: boolean
): string | null {
  let best: IExperiment | null = null;
  for (const row of rows) {
    const v = metric ? row.metrics[metric] : undefined;
    if (!isNumber(v)) {
      continue;
    }
    const b = best?.metrics[metric!] as number | undefined;
    if (b === undefined || (lowerIsBetter ? v < b : v > b)) {
      best = row;
    }
  }
  return best?.rev ?? null;
}

/** A value as Python source, keeping a float a float (`1.0`, which JSON gives back as 1). */
export function pythonLiteral(value: unknown, previous = ''): string {
  if (value === true || value === false) {
    return value ? 'True' : 'False';
  }
  if (value === null) {
    return 'None';
  }
  if (typeof value === 'number') {
    const text = String(value);
    const wasFloat = /^[-+]?(\d*\.\d*|\d+[eE])/.test(previous.trim());
    return wasFloat && Number.isInteger(value) && !/[eE]/.test(text) ? `${text}.0` : text;
  }
  return JSON.stringify(value);
}

export interface IRewrite {
  source: string;
  /** The names whose assignment was rewritten. */
  changed: string[];
  /** Names the cell has no one-line assignment for (left as they are). */
  missing: string[];
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\s*(?::[^=]*)?=\s*)(.*?)(\s*#[^'"]*)?$/;
// Only a one-line literal is rewritten: `n = [\n 1,\n]` or `n = f(x)` is the user's code.
const SCALAR = /^([-+]?[\d._]+([eE][-+]?\d+)?|True|False|None|'[^'\\]*'|"[^"\\]*")$/;

/**
 * The parameters cell's `source` with each `name = value` line of `values` given the new value;
 * everything else (comments, spacing, other lines) kept byte for byte. A value that differs
 * only in how it is written (1 and 1.0) is not rewritten.
 */
export function withParameterValues(source: string, values: Record<string, unknown>): IRewrite {
  const changed: string[] = [];
  const seen = new Set<string>();
  const lines = source.split('\n').map(line => {
    const m = ASSIGNMENT.exec(line);
    if (!m || !(m[1] in values) || !SCALAR.test(m[3].trim())) {
      return line;
    }
    const [, name, equals, old, comment] = m;
    seen.add(name);
    const text = pythonLiteral(values[name], old);
    if (text === old.trim() || sameNumber(text, old)) {
      return line;
    }
    changed.push(name);
    return `${name}${equals}${text}${comment ?? ''}`;
  });
  const missing = Object.keys(values).filter(n => !seen.has(n));
  return { source: lines.join('\n'), changed, missing };
}

function sameNumber(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b.trim());
  return b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y) && x === y;
}
