/**
 * Each code cell shows the stage it runs in: a stripe in the stage's colour and a small label,
 * computed from the tags (not from the server) so they follow an edit at once. `parameters`
 * and `skip` cells are marked on their own.
 */

import type { NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';

import { colourVariable, stageColours } from '../colours';
import type { IStageFailure, PipelineModel } from '../model';
import { cellTags } from '../notebook';
import { cellRoles, ICellRole, stageNames } from '../tags';
import { LabelPlacement } from './label-place';

const STAGED = 'nb2pipe-staged';
const PARAMETERS = 'nb2pipe-parameters';
const SKIP = 'nb2pipe-skip';
const LABEL = 'nb2pipe-cell-label';
const ERROR = 'nb2pipe-cell-error';

export class CellStripes {
  /**
   * With a model, the cell that made a stage fail shows the error beside it, with the executed
   * notebook one click away (`openFile`).
   */
  constructor(
    private readonly panel: NotebookPanel,
    private readonly model: PipelineModel | null = null,
    private readonly trans: TranslationBundle | null = null,
    private readonly openFile: (path: string) => void = () => undefined
  ) {
    this.placement = new LabelPlacement(panel.content);
    panel.content.modelContentChanged.connect(this.schedule, this);
    model?.changed.connect(this.showFailures, this);
    panel.disposed.connect(() => this.dispose());
    this.schedule();
  }

  /** The failures of the stages of this notebook, each beside the cell that raised. */
  showFailures(): void {
    if (this.panel.isDisposed || !this.model || !this.trans) {
      return;
    }
    const model = this.model;
    const mine = model.source?.path === this.panel.context.path;
    const failures: IStageFailure[] = [];
    for (const stage of mine ? (model.analysis?.stages ?? []) : []) {
      const failure = model.stageFailure(stage.name);
      if (failure?.cell !== null && failure?.cell !== undefined) {
        failures.push(failure);
      }
    }
    const key = JSON.stringify(failures);
    if (key === this._failures) {
      return;
    }
    this._failures = key;
    for (const old of this.panel.content.node.querySelectorAll(`.${ERROR}`)) {
      old.remove();
    }
    for (const failure of failures) {
      const cell = this.panel.content.widgets[failure.cell!];
      if (!cell) {
        continue;
      }
      const box = document.createElement('div');
      box.className = ERROR;
      box.dataset.stage = failure.stage;
      const text = document.createElement('pre');
      // The runner's message names the stage already ("stage 'train' of 'x.ipynb' failed: …").
      text.textContent = failure.message.includes(`stage '${failure.stage}'`)
        ? failure.message
        : this.trans.__('Stage %1 failed here: %2', failure.stage, failure.message);
      box.appendChild(text);
      const executed = failure.executed_notebook;
      if (executed) {
        const open = document.createElement('button');
        open.className = 'nb2pipe-open-executed jp-Button jp-mod-minimal';
        open.textContent = this.trans.__('Open the executed notebook');
        open.title = executed;
        open.addEventListener('click', () => this.openFile(executed));
        box.appendChild(open);
      }
      // After the input, above the outputs: the error reads as this cell's.
      const input = cell.node.querySelector(':scope > .jp-Cell-inputWrapper');
      cell.node.insertBefore(box, input?.nextSibling ?? null);
    }
  }

  dispose(): void {
    if (this._frame !== 0) {
      cancelAnimationFrame(this._frame);
      this._frame = 0;
    }
    this.model?.changed.disconnect(this.showFailures, this);
    this.placement.dispose();
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
    this.placement.schedule();
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

  private readonly placement: LabelPlacement;
  private _frame = 0;
  private _key = '';
  private _failures = '';
}
