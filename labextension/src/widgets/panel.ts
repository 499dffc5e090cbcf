/**
 * The Pipeline side panel: the assign form, the stage graph, the stages with what flows between
 * them, and the diagnostics of the active notebook. It renders the model and runs commands for
 * every action, so it never touches the notebook itself.
 */

import type { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { colourVariable, stageColours } from '../colours';
import type { PipelineModel } from '../model';
import { stageNameProblem } from '../tags';
import type { IAnalysis, IRunFailure, IStage } from '../types';
import { CommandIds, PANEL_ID } from '../ids';
import { renderGraph } from './graph';
import { h, renderDiagnostics, renderStage } from './stages';

export class PipelinePanel extends Widget {
  /**
   * `taggedStages` gives the stages the tags of the shown notebook make, so that while the
   * analysis refuses the notebook (it then has no stages) the user still sees them, and can
   * rename them or pick one, to fix what the diagnostics say.
   */
  constructor(
    private readonly model: PipelineModel,
    private readonly commands: CommandRegistry,
    private readonly taggedStages: () => { name: string; cells: number[] }[] = () => []
  ) {
    super();
    this.id = PANEL_ID;
    this.addClass('nb2pipe-panel');
    this.node.dataset.generation = '0';
    this.node.appendChild(this.header);
    this.node.appendChild(this.form());
    this.node.appendChild(this.body);
    model.changed.connect(this.render, this);
    this.render();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setActive(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setActive(false);
  }

  dispose(): void {
    this.model.changed.disconnect(this.render, this);
    super.dispose();
  }

  private form(): HTMLElement {
    this.nameInput.type = 'text';
    this.nameInput.placeholder = 'stage name, e.g. train';
    this.nameInput.setAttribute('aria-label', 'Stage name');
    this.nameInput.spellcheck = false;
    this.nameInput.addEventListener('input', () => this.validate());
    this.nameInput.addEventListener('keydown', event => {
      if (event.key === 'Enter' && !this.assignButton.disabled) {
        this.assign(this.nameInput.value);
      }
    });
    this.assignButton.addEventListener('click', () => this.assign(this.nameInput.value));
    const parameters = this.button(
      'nb2pipe-toggle-parameters',
      'Parameters',
      "Mark or unmark the selected cells as the 'parameters' cell (params.yaml)",
      CommandIds.toggleParameters
    );
    const skip = this.button(
      'nb2pipe-toggle-skip',
      'Skip',
      "Mark or unmark the selected cells 'skip' (left out of the pipeline)",
      CommandIds.toggleSkip
    );
    this.validate();
    return h(
      'div',
      { className: 'nb2pipe-assign-form' },
      h('div', { className: 'nb2pipe-heading', text: 'Selected cells' }),
      h('div', { className: 'nb2pipe-row' }, this.nameInput, this.assignButton),
      this.hint,
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
  }

  private assign(name: string): void {
    void this.commands.execute(CommandIds.assignStage, { name: name.trim() });
  }

  private render(): void {
    const model = this.model;
    const analysis = model.analysis;
    this.node.dataset.generation = String(model.generation);
    const path = model.source?.path ?? null;
    this.header.replaceChildren(
      h('h2', { className: 'nb2pipe-title', text: 'Pipeline' }),
      h('div', {
        className: 'nb2pipe-path',
        text: path ?? 'Open a notebook to see its pipeline',
        title: path ?? ''
      }),
      this.toolbar()
    );
    const stages = analysis ? this.stagesToShow(analysis) : [];
    const names = stages.map(s => s.name);
    const colours = stageColours(names);
    this.picks.replaceChildren();
    if (names.length > 0) {
      this.picks.appendChild(h('span', { className: 'nb2pipe-heading', text: 'or add to' }));
    }
    for (const name of names) {
      const pick = h('button', {
        className: 'nb2pipe-pick-stage jp-Button jp-mod-minimal',
        text: name,
        title: `Assign the selected cells to stage ${name}`
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
    // What stopped the last export, unless the live diagnostics below say it already.
    const live = new Set(analysis?.diagnostics.map(d => `${d.cell}:${d.message}`) ?? []);
    const blocking = (model.blocking ?? []).filter(d => !live.has(`${d.cell}:${d.message}`));
    if (blocking.length > 0) {
      parts.push(renderDiagnostics(blocking, this.reveal, 'Export stopped by'));
    }
    if (analysis) {
      parts.push(renderDiagnostics(analysis.diagnostics, this.reveal, 'Diagnostics'));
      if (names.length > 0 && analysis.stages.length > 0) {
        parts.push(
          h(
            'div',
            { className: 'nb2pipe-graph-box' },
            renderGraph({
              stages: names,
              edges: analysis.edges,
              colour: name => colours.get(name) ?? 0,
              state: name => model.stageState(name),
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
            text: 'What flows between the stages shows again once the problems above are fixed.'
          })
        );
      }
      const list = h('ol', { className: 'nb2pipe-stages' });
      for (const stage of stages) {
        list.appendChild(
          renderStage(
            stage,
            colours.get(stage.name) ?? 0,
            run?.stages.find(s => s.name === stage.name),
            run?.failure ?? null,
            {
              revealCell: this.reveal,
              rename: from => void this.commands.execute(CommandIds.renameStage, { from }),
              openFailure: (failure: IRunFailure) =>
                void this.commands.execute(CommandIds.openFailure, { ...failure })
            }
          )
        );
      }
      parts.push(list);
    } else if (path) {
      parts.push(h('div', { className: 'nb2pipe-message', text: 'Analysing…' }));
    }
    this.body.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  }

  private stagesToShow(analysis: IAnalysis): IStage[] {
    if (analysis.stages.length > 0 || analysis.ok) {
      return analysis.stages;
    }
    return this.taggedStages().map(s => ({
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

  private toolbar(): HTMLElement {
    const run = this.model.run;
    const runButton = h('button', {
      className: 'nb2pipe-run jp-Button jp-mod-styled jp-mod-accept',
      text: run?.state === 'running' ? 'Running…' : 'Run pipeline',
      title: 'Run the exported pipeline (only the stages whose inputs changed)'
    });
    runButton.disabled = this.model.source === null || run?.state === 'running';
    runButton.addEventListener('click', () => void this.commands.execute(CommandIds.run));
    const exportButton = h('button', {
      className: 'nb2pipe-export jp-Button jp-mod-styled',
      text: 'Export',
      title: 'Save the notebook and write its pipeline (dvc.yaml, stage notebooks and scripts)'
    });
    exportButton.disabled = this.model.source === null;
    exportButton.addEventListener(
      'click',
      () => void this.commands.execute(CommandIds.exportPipeline)
    );
    return h('div', { className: 'nb2pipe-row nb2pipe-actions' }, exportButton, runButton);
  }

  private reveal = (index: number): void => {
    void this.commands.execute(CommandIds.revealCell, { index });
  };

  private readonly header = h('div', { className: 'nb2pipe-header' });
  private readonly body = h('div', { className: 'nb2pipe-body' });
  private readonly nameInput = h('input', { className: 'nb2pipe-stage-name jp-mod-styled' });
  private readonly assignButton = h('button', {
    className: 'nb2pipe-assign jp-Button jp-mod-styled jp-mod-accept',
    text: 'Assign to stage',
    title: 'Make the selected cells a stage of this name'
  });
  private readonly hint = h('div', { className: 'nb2pipe-hint' });
  private readonly picks = h('div', { className: 'nb2pipe-picks' });
}
