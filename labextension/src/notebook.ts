/**
 * JupyterLab's notebook as the rest of the extension sees it: the live source for the model,
 * the cells' tags as plain values for tags.ts, tag edits written back through the cell model's
 * metadata API (so undo and the dirty mark work), the selection, and revealing a cell.
 */

import type { Notebook, NotebookPanel } from '@jupyterlab/notebook';
import { ISignal, Signal } from '@lumino/signaling';

import type { INotebookSource } from './model';
import type { ICellTags, ITagEdit } from './tags';

/** Cell outputs never change the analysis but can be megabytes: they are not sent. */
export function withoutOutputs(notebook: any): unknown {
  if (!notebook || !Array.isArray(notebook.cells)) {
    return notebook;
  }
  return {
    ...notebook,
    cells: notebook.cells.map((cell: any) => {
      const { attachments: _attachments, ...rest } = cell;
      return cell.cell_type === 'code' ? { ...rest, outputs: [], execution_count: null } : rest;
    })
  };
}

export class NotebookSource implements INotebookSource {
  constructor(readonly panel: NotebookPanel) {
    panel.context.model.contentChanged.connect(this.emit, this);
    panel.context.pathChanged.connect(this.emit, this);
    panel.disposed.connect(() => Signal.clearData(this));
  }

  get path(): string {
    return this.panel.context.path;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  toJSON(): unknown {
    return withoutOutputs(this.panel.context.model.toJSON());
  }

  indexOfCell(id: string): number {
    const cells = this.panel.context.model.cells;
    for (let i = 0; i < cells.length; i++) {
      if (cells.get(i).id === id) {
        return i;
      }
    }
    return -1;
  }

  private emit(): void {
    this._changed.emit();
  }

  private _changed = new Signal<this, void>(this);
}

export function cellTags(notebook: Notebook): ICellTags[] {
  const cells = notebook.model?.cells;
  if (!cells) {
    return [];
  }
  const out: ICellTags[] = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    const tags = cell.getMetadata('tags');
    out.push({
      type: cell.type,
      tags: Array.isArray(tags) ? tags.filter(t => typeof t === 'string') : []
    });
  }
  return out;
}

/** The selected cells, or the active one when nothing is selected. */
export function selectedIndices(notebook: Notebook): number[] {
  const indices: number[] = [];
  notebook.widgets.forEach((cell, i) => {
    if (notebook.isSelectedOrActive(cell)) {
      indices.push(i);
    }
  });
  return indices;
}

/** Write the edits as one undoable change. */
export function applyTagEdits(notebook: Notebook, edits: readonly ITagEdit[]): void {
  const model = notebook.model;
  if (!model || edits.length === 0) {
    return;
  }
  model.sharedModel.transact(() => {
    for (const { index, tags } of edits) {
      const cell = model.cells.get(index);
      if (tags.length > 0) {
        cell.setMetadata('tags', tags);
      } else {
        cell.deleteMetadata('tags');
      }
    }
  });
}

/** Select cell `index` alone, make it active and scroll it into view. */
export async function revealCell(notebook: Notebook, index: number): Promise<void> {
  const cell = notebook.widgets[index];
  if (!cell) {
    return;
  }
  notebook.deselectAll();
  notebook.activeCellIndex = index;
  notebook.mode = 'command';
  await notebook.scrollToCell(cell, 'center');
}
