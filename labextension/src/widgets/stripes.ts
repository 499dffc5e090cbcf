/**
 * Each code cell shows the stage it runs in: a stripe in the stage's colour and a small label,
 * computed from the tags (not from the server) so they follow an edit at once. `parameters`
 * and `skip` cells are marked on their own.
 */

import type { NotebookPanel } from '@jupyterlab/notebook';

import { colourVariable, stageColours } from '../colours';
import { cellTags } from '../notebook';
import { cellRoles, ICellRole, stageNames } from '../tags';

const STAGED = 'nb2pipe-staged';
const PARAMETERS = 'nb2pipe-parameters';
const SKIP = 'nb2pipe-skip';
const LABEL = 'nb2pipe-cell-label';

export class CellStripes {
  constructor(private readonly panel: NotebookPanel) {
    panel.content.modelContentChanged.connect(this.schedule, this);
    panel.disposed.connect(() => this.dispose());
    this.schedule();
  }

  dispose(): void {
    if (this._frame !== 0) {
      cancelAnimationFrame(this._frame);
      this._frame = 0;
    }
    if (!this.panel.isDisposed) {
      this.panel.content.modelContentChanged.disconnect(this.schedule, this);
    }
  }

  /** At most one update per frame: typing emits a change per key. */
  schedule(): void {
    if (this._frame === 0) {
      this._frame = requestAnimationFrame(() => {
        this._frame = 0;
        this.update();
      });
    }
  }

  update(): void {
    if (this.panel.isDisposed) {
      return;
    }
    const notebook = this.panel.content;
    const cells = cellTags(notebook);
    const roles = cellRoles(cells);
    const key = JSON.stringify([roles, notebook.widgets.length]);
    if (key === this._key) {
      return;
    }
    this._key = key;
    const names = stageNames(cells);
    // A notebook nothing is assigned in yet is left as JupyterLab draws it.
    const anyStage = names.length > 0;
    const colours = stageColours(names);
    notebook.widgets.forEach((cell, i) => {
      const role: ICellRole | undefined = roles[i];
      const stage = anyStage ? (role?.stage ?? null) : null;
      const node = cell.node;
      node.classList.toggle(STAGED, stage !== null);
      node.classList.toggle(PARAMETERS, role?.parameters ?? false);
      node.classList.toggle(SKIP, role?.skip ?? false);
      if (stage === null) {
        node.removeAttribute('data-nb2pipe-stage');
        node.style.removeProperty('--nb2pipe-stage-colour');
      } else {
        node.setAttribute('data-nb2pipe-stage', stage);
        node.style.setProperty('--nb2pipe-stage-colour', colourVariable(colours.get(stage)!));
      }
      this.label(node, stage, role);
    });
  }

  private label(node: HTMLElement, stage: string | null, role: ICellRole | undefined): void {
    const badges = [role?.parameters ? 'parameters' : '', role?.skip ? 'skip' : ''].filter(Boolean);
    let label = node.querySelector<HTMLElement>(`:scope > .${LABEL}`);
    if (stage === null && badges.length === 0) {
      label?.remove();
      return;
    }
    if (!label) {
      label = document.createElement('div');
      label.className = LABEL;
      label.setAttribute('aria-hidden', 'true');
      node.appendChild(label);
    }
    const parts = [stage, ...badges].filter((p): p is string => Boolean(p));
    label.textContent = stage ?? '';
    label.title = parts.join(' · ');
    label.dataset.badges = badges.join(' ');
  }

  private _frame = 0;
  private _key = '';
}
