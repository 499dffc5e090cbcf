/**
 * Keeps a cell's stage label (stripes.ts) clear of the cell toolbar JupyterLab shows on the
 * active cell: the label sits at the cell's bottom right, the toolbar at its top right, and on a
 * short cell the two meet, so the label moves to the left of the toolbar's buttons, by the width the toolbar has (users configure its buttons, and
 * JupyterLab hides it when the code's first line would run under it).
 */

import type { Notebook } from '@jupyterlab/notebook';

const LABEL = '.nb2pipe-cell-label';
const TOOLBAR = '.jp-cell-toolbar';
const GAP = 6; // px between the label and the first button
const TRIES = 20; // frames to wait for the toolbar, which JupyterLab adds after the activation

export class LabelPlacement {
  constructor(private readonly notebook: Notebook) {
    notebook.activeCellChanged.connect(this.schedule, this);
    this.resize = new ResizeObserver(() => this.place(0));
    this.schedule();
  }

  /** Place the labels again (a label was just added or the active cell changed). */
  schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.place(TRIES));
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.resize.disconnect();
    if (!this.notebook.isDisposed) {
      this.notebook.activeCellChanged.disconnect(this.schedule, this);
    }
  }

  private place(tries: number): void {
    if (this.notebook.isDisposed) {
      return;
    }
    for (const label of this.notebook.node.querySelectorAll<HTMLElement>(LABEL)) {
      label.style.removeProperty('right');
    }
    const cell = this.notebook.activeCell?.node;
    const toolbar = cell?.querySelector<HTMLElement>(TOOLBAR);
    const label = cell?.querySelector<HTMLElement>(`:scope > ${LABEL}`);
    if (!cell || !label) {
      return;
    }
    if (!toolbar) {
      if (tries > 0) {
        this.frame = requestAnimationFrame(() => this.place(tries - 1));
      }
      return;
    }
    if (this.observed !== toolbar) {
      this.resize.disconnect();
      this.resize.observe(toolbar);
      this.observed = toolbar;
    }
    const bar = toolbar.getBoundingClientRect();
    const own = label.getBoundingClientRect();
    if (bar.width === 0 || own.top >= bar.bottom) {
      return; // hidden, or above a label at the bottom of a taller cell: it keeps its place
    }
    const right = cell.getBoundingClientRect().right - bar.left + GAP;
    label.style.right = `${Math.max(0, Math.round(right))}px`;
  }

  private frame = 0;
  private observed: HTMLElement | null = null;
  private readonly resize: ResizeObserver;
}
