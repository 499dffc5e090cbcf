/**
 * The Pipeline side panel: the assign form, the stage graph, the stages with what flows between
 * them, and the diagnostics of the active notebook. It renders the model and runs commands for
 * every action, so it never touches the notebook itself.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';

import { colourVariable, stageColours } from '../colours';
import { stageMark } from '../marks';
import type { PipelineModel } from '../model';
import {
  assignmentCovers,
  generatedStageMessage,
  ICellTags,
  stageCells,
  stageNameProblem,
  stageNames
} from '../tags';
import type { IAnalysis, IStage } from '../types';
import { CommandIds, PANEL_ID } from '../ids';
import { renderGraph } from './graph';
import { RunProgress } from './progress';
import { NotebookSidePanel } from './side-panel';
import { cellRanges, renderNoStages } from './split';
import { h, renderDiagnostics, renderStage } from './stages';

/** The notebook the panel shows, as plain values: its cells' tags and the selected cells. */
export interface IShownNotebook {
  tags(): ICellTags[];
  selected(): number[];
}

export class PipelinePanel extends NotebookSidePanel {
  /**
   * `shown` gives the tags of the shown notebook, so that while the analysis refuses the
   * notebook (it then has no stages) the user still sees the stages the tags make, and can
   * rename them or pick one, to fix what the diagnostics say.
   */
  constructor(
    private readonly model: PipelineModel,
    private readonly commands: CommandRegistry,
    trans: TranslationBundle,
    private readonly shown: () => IShownNotebook | null = () => null
  ) {
    super(PANEL_ID, trans.__('Pipeline'), model, trans);
    this.node.dataset.generation = '0';
    this.makeToolbar();
    this.assignForm = this.form();
    this.body.append(this.generated, this.assignForm, this.main);
    this.render();
  }

  /** Say again which cells an assignment would cover (the selection or the tags changed). */
  updateAssignPreview(): void {
    const name = this.nameInput.value.trim();
    const notebook = this.shown();
    this.coverage.replaceChildren();
    if (!notebook || stageNameProblem(name) !== null) {
      return;
    }
    const tags = notebook.tags();
    const selected = notebook.selected().filter(i => tags[i]?.type === 'code');
    if (selected.length === 0) {
      return;
    }
    const covers = assignmentCovers(tags, selected, name);
    const beyond = covers.filter(i => !selected.includes(i));
    const trans = this.trans;
    this.coverage.textContent =
      beyond.length === 0
        ? trans.__('Stage %1 will hold cells %2.', name, cellRanges(covers))
        : trans.__(
            'Stage %1 will hold cells %2: also %3 after the selection, up to the next stage tag.',
            name,
            cellRanges(covers),
            cellRanges(beyond)
          );
    this.coverage.classList.toggle('nb2pipe-beyond', beyond.length > 0);
  }

  private form(): HTMLElement {
    const trans = this.trans;
    this.nameInput.type = 'text';
    this.nameInput.placeholder = trans.__('stage name');
    this.nameInput.title = trans.__('A stage name, e.g. train');
    this.nameInput.setAttribute('aria-label', trans.__('Stage name'));
    this.nameInput.spellcheck = false;
    this.assignButton.textContent = trans.__('Assign to stage');
    this.assignButton.title = trans.__('Make the selected cells a stage of this name');
    this.nameInput.addEventListener('input', () => this.validate());
    this.nameInput.addEventListener('keydown', event => {
      if (event.key === 'Enter' && !this.assignButton.disabled) {
        this.assign(this.nameInput.value);
      }
    });
    this.assignButton.addEventListener('click', () => this.assign(this.nameInput.value));
    const parameters = this.button(
      'nb2pipe-toggle-parameters',
      trans.__('Parameters'),
      trans.__("Mark or unmark the selected cells as the 'parameters' cell (params.yaml)"),
      CommandIds.toggleParameters
    );
    const skip = this.button(
      'nb2pipe-toggle-skip',
      trans.__('Skip'),
      trans.__("Mark or unmark the selected cells 'skip' (left out of the pipeline)"),
      CommandIds.toggleSkip
    );
    this.validate();
    return h(
      'div',
      { className: 'nb2pipe-assign-form' },
      h('div', { className: 'nb2pipe-heading', text: trans.__('Selected cells') }),
      h('div', { className: 'nb2pipe-row nb2pipe-wrap' }, this.nameInput, this.assignButton),
      this.hint,
      this.coverage,
      this.picks,
      h('div', { className: 'nb2pipe-row' }, parameters, skip)
    );
  }

  private button(className: string, text: string, title: string, command: string): HTMLElement {
    const button = h('button', { className: `${className} jp-Button jp-mod-styled`, text, title });
    button.addEventListener('click', () => void this.commands.execute(command));
    return button;
  }

  private validate(): void {
    const problem = stageNameProblem(this.nameInput.value.trim());
    const typed = this.nameInput.value !== '';
    this.nameInput.classList.toggle('nb2pipe-invalid', typed && problem !== null);
    this.assignButton.disabled = problem !== null;
    this.hint.textContent = typed && problem ? problem : '';
    this.updateAssignPreview();
  }

  private assign(name: string): void {
    void this.commands.execute(CommandIds.assignStage, { name: name.trim() });
  }

  protected render(): void {
    const trans = this.trans;
    const model = this.model;
    const analysis = model.analysis;
    this.node.dataset.generation = String(model.generation);
    const path = model.source?.path ?? null;
    // Updated in place, never remade or moved: see makeToolbar.
    this.showPath(path, trans.__('Open a notebook to see its pipeline'));
    this.updateToolbar();
    this.progress.update(model.run, model.cancelling);
    // A stage notebook nb2pipe generated: say which notebook to open, and offer no assigning.
    const generated = analysis?.generated_from ?? null;
    this.generated.hidden = generated === null;
    this.generated.textContent = generated
      ? generatedStageMessage(generated, trans.__('assign cells or export its pipeline'))
      : '';
    this.assignForm.hidden = generated !== null;
    const stages = analysis ? this.stagesToShow(analysis) : [];
    const names = stages.map(s => s.name);
    const colours = stageColours(names);
    this.picks.replaceChildren();
    if (names.length > 0) {
      this.picks.appendChild(
        h('span', { className: 'nb2pipe-heading', text: trans.__('or add to') })
      );
    }
    for (const name of names) {
      const pick = h('button', {
        className: 'nb2pipe-pick-stage jp-Button jp-mod-minimal',
        text: name,
        title: trans.__('Assign the selected cells to stage %1', name)
      });
      pick.dataset.stage = name;
      pick.style.setProperty('--nb2pipe-stage-colour', colourVariable(colours.get(name) ?? 0));
      pick.addEventListener('click', () => this.assign(name));
      this.picks.appendChild(pick);
    }
    const parts: (HTMLElement | null)[] = [];
    if (model.error) {
      parts.push(
        h('div', { className: 'nb2pipe-message nb2pipe-severity-error', text: model.error })
      );
    }
    const run = model.run;
    if (run?.message && run.state === 'failed' && !run.failure) {
      parts.push(
        h('div', { className: 'nb2pipe-message nb2pipe-severity-error', text: run.message })
      );
    }
    if (run?.message && run.state === 'cancelled') {
      parts.push(
        h('div', { className: 'nb2pipe-message nb2pipe-run-cancelled', text: run.message })
      );
    }
    // What stopped the last export, unless the live diagnostics below say it already.
    const live = new Set(analysis?.diagnostics.map(d => `${d.cell}:${d.message}`) ?? []);
    const blocking = (model.blocking ?? []).filter(d => !live.has(`${d.cell}:${d.message}`));
    if (blocking.length > 0) {
      parts.push(renderDiagnostics(blocking, this.reveal, trans.__('Export stopped by'), trans));
    }
    if (model.status?.message) {
      parts.push(h('div', { className: 'nb2pipe-message', text: model.status.message }));
    }
    const tags = this.shown()?.tags() ?? [];
    if (analysis && stageNames(tags).length === 0) {
      parts.push(renderNoStages(model, this.commands, trans));
    }
    if (analysis) {
      parts.push(
        renderDiagnostics(analysis.diagnostics, this.reveal, trans.__('Diagnostics'), trans)
      );
      if (names.length > 0 && analysis.stages.length > 0) {
        parts.push(
          h(
            'div',
            { className: 'nb2pipe-graph-box' },
            renderGraph({
              stages: names,
              edges: analysis.edges,
              colour: name => colours.get(name) ?? 0,
              state: name => this.markOf(name),
              trans,
              onClick: name => {
                const first = analysis.stages.find(s => s.name === name)?.cells[0];
                if (first !== undefined) {
                  this.reveal(first);
                }
              }
            })
          )
        );
      }
      if (analysis.stages.length === 0 && stages.length > 0) {
        parts.push(
          h('div', {
            className: 'nb2pipe-message',
            text: trans.__(
              'What flows between the stages shows again once the problems above are fixed.'
            )
          })
        );
      }
      const list = h('ol', { className: 'nb2pipe-stages' });
      for (const stage of stages) {
        list.appendChild(
          renderStage(
            stage,
            colours.get(stage.name) ?? 0,
            {
              mark: this.markOf(stage.name),
              seconds: run?.stages.find(s => s.name === stage.name)?.seconds ?? null,
              disk: model.stageStatus(stage.name),
              failure: model.stageFailure(stage.name)
            },
            {
              revealCell: this.reveal,
              rename: from => void this.commands.execute(CommandIds.renameStage, { from }),
              openFile: path => void this.commands.execute(CommandIds.openFile, { path })
            },
            trans
          )
        );
      }
      parts.push(list);
    } else if (path) {
      parts.push(h('div', { className: 'nb2pipe-message', text: trans.__('Analysing…') }));
    }
    this.main.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  }

  private markOf(name: string) {
    return stageMark(
      this.model.run?.stages.find(s => s.name === name),
      this.model.stageStatus(name)
    );
  }

  private stagesToShow(analysis: IAnalysis): IStage[] {
    if (analysis.stages.length > 0 || analysis.ok) {
      return analysis.stages;
    }
    return stageCells(this.shown()?.tags() ?? []).map(s => ({
      name: s.name,
      cells: s.cells,
      cell_ids: [],
      needs: [],
      hands_on: [],
      params: [],
      file_inputs: [],
      outs: [],
      metrics: [],
      upstream: []
    }));
  }

  /**
   * The buttons are made once and updated at each render: a button remade or moved under the
   * pointer between mouse-down and mouse-up (a run's progress renders several times a second)
   * would lose the click.
   */
  private makeToolbar(): void {
    const trans = this.trans;
    this.runButton.title = trans.__(
      'Run the exported pipeline (only the stages whose inputs changed)'
    );
    this.runButton.addEventListener('click', () => void this.commands.execute(CommandIds.run));
    this.exportButton.textContent = trans.__('Export');
    this.exportButton.title = trans.__(
      'Save the notebook and write its pipeline (dvc.yaml, stage notebooks and scripts)'
    );
    this.exportButton.addEventListener(
      'click',
      () => void this.commands.execute(CommandIds.exportPipeline)
    );
    this.actions.append(this.exportButton, this.runButton);
    this.body.append(this.actions, this.progress.node);
  }

  private updateToolbar(): void {
    const running = this.model.running;
    this.runButton.textContent = running
      ? this.trans.__('Running…')
      : this.trans.__('Run pipeline');
    this.runButton.disabled = this.model.source === null || running;
    this.exportButton.disabled = this.model.source === null;
  }

  private reveal = (index: number): void => {
    void this.commands.execute(CommandIds.revealCell, { index });
  };

  private readonly actions = h('div', { className: 'nb2pipe-row nb2pipe-actions' });
  private readonly runButton = h('button', {
    className: 'nb2pipe-run jp-Button jp-mod-styled jp-mod-accept'
  });
  private readonly exportButton = h('button', {
    className: 'nb2pipe-export jp-Button jp-mod-styled'
  });
  private readonly progress = new RunProgress(
    () => void this.commands.execute(CommandIds.cancelRun),
    this.trans
  );
  private readonly main = h('div', { className: 'nb2pipe-body' });
  private readonly generated = h('div', {
    className: 'nb2pipe-message nb2pipe-generated nb2pipe-severity-warning'
  });
  private readonly assignForm: HTMLElement;
  private readonly nameInput = h('input', { className: 'nb2pipe-stage-name jp-mod-styled' });
  private readonly assignButton = h('button', {
    className: 'nb2pipe-assign jp-Button jp-mod-styled jp-mod-accept'
  });
  private readonly hint = h('div', { className: 'nb2pipe-hint' });
  private readonly coverage = h('div', { className: 'nb2pipe-assign-preview' });
  private readonly picks = h('div', { className: 'nb2pipe-picks' });
}
