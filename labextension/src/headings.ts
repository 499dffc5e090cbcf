/**
 * Which markdown heading level to offer for "Split at headings": the level that cuts the
 * notebook into sections. Pure (cells as plain values).
 */

import { suggestName } from './tags';

export interface ICellSource {
  type: string;
  source: string;
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/gm;

/**
 * {index of the first code cell after a heading of `level`: its stage name}, the tags
 * `nb2pipe tag --by-headings=LEVEL` writes (a port of analysis/stages.py heading_names).
 */
export function headingNames(cells: readonly ICellSource[], level: number): Map<number, string> {
  const names = new Map<number, string>();
  const used = new Set<string>();
  let pending: string | null = null;
  cells.forEach((cell, index) => {
    if (cell.type === 'markdown') {
      for (const match of cell.source.matchAll(HEADING)) {
        if (match[1].length === level) {
          pending = match[2];
        }
      }
    } else if (cell.type === 'code' && pending !== null) {
      const base =
        suggestName(pending.replace(/[`*_[\]()]/g, ''))
          .slice(0, 40)
          .replace(/^[-_]+|[-_]+$/g, '') || 'stage';
      let name = base;
      for (let n = 2; used.has(name); n++) {
        name = `${base}-${n}`;
      }
      used.add(name);
      names.set(index, name);
      pending = null;
    }
  });
  return names;
}

/**
 * The level that cuts the notebook into sections: the smallest that makes two stages or more,
 * else the smallest that makes one; null when no heading is followed by code.
 */
export function splitLevel(cells: readonly ICellSource[]): number | null {
  const levels = [1, 2, 3, 4, 5, 6];
  const counts = levels.map(level => headingNames(cells, level).size);
  const several = levels.find((_, k) => counts[k] >= 2);
  return several ?? levels.find((_, k) => counts[k] >= 1) ?? null;
}

/** nbformat JSON's cells as plain values (`source` may be a list of lines). */
export function cellSources(notebook: unknown): ICellSource[] {
  const cells = (notebook as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) {
    return [];
  }
  return cells.map(cell => {
    const source = cell?.source;
    return {
      type: String(cell?.cell_type ?? ''),
      source: Array.isArray(source) ? source.join('') : String(source ?? '')
    };
  });
}
