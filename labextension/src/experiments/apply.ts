/**
 * Apply: an experiment's parameter values written into the notebook's parameters cell, in the
 * open notebook's model (so JupyterLab's undo undoes it and the notebook shows unsaved), as the
 * panel's tag edits are written (notebook.ts).
 */

import type { Notebook } from '@jupyterlab/notebook';

import type { IParam } from '../types';
import { withParameterValues } from './values';

export interface IApplied {
  changed: string[];
  /** Names the notebook's parameters cell does not assign on one line: left as they are. */
  missing: string[];
}

/** `values` (name -> value) into the cells the analysis found `params` in. */
export function applyParameters(
  notebook: Notebook,
  params: readonly IParam[],
  values: Record<string, unknown>
): IApplied {
  const model = notebook.model;
  const result: IApplied = { changed: [], missing: [] };
  if (!model) {
    return result;
  }
  const byCell = new Map<number, Record<string, unknown>>();
  for (const [name, value] of Object.entries(values)) {
    const cell = params.find(p => p.name === name)?.cell;
    if (cell === null || cell === undefined || cell >= model.cells.length) {
      result.missing.push(name);
      continue;
    }
    byCell.set(cell, { ...(byCell.get(cell) ?? {}), [name]: value });
  }
  for (const [index, cellValues] of byCell) {
    const cell = model.cells.get(index).sharedModel;
    const rewrite = withParameterValues(cell.getSource(), cellValues);
    result.missing.push(...rewrite.missing);
    if (rewrite.changed.length > 0) {
      // One transaction of the cell's own shared model: one step of its undo.
      cell.transact(() => cell.setSource(rewrite.source));
      result.changed.push(...rewrite.changed);
    }
  }
  return result;
}
