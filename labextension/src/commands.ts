/**
 * The user's actions as JupyterLab commands (ids in ids.ts): the panel's buttons, the toolbar
 * button and the palette all go through these, so each action exists once.
 */

import { ICommandPalette, InputDialog, Notification } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';

import { exportPipeline, ICommandContext, openFailure, runPipeline } from './actions';
import { pipelineIcon } from './icons';
import { CommandIds, PANEL_ID } from './ids';
import { applyTagEdits, cellTags, NotebookSource, revealCell, selectedIndices } from './notebook';
import {
  assignStage,
  Flag,
  generatedStage,
  generatedStageMessage,
  ITagEdit,
  renameStage,
  stageNameProblem,
  stageNames,
  toggleFlag,
  ICellTags
} from './tags';
import type { IRunFailure } from './types';

export type { ICommandContext } from './actions';

const CATEGORY = 'Pipeline';

export function registerCommands(ctx: ICommandContext, palette: ICommandPalette | null): void {
  const { app, tracker, model } = ctx;
  const { commands, shell } = app;
  const hasNotebook = () => tracker.currentWidget !== null;

  /** The notebook the panel is showing; the active one if the panel follows none yet. */
  const shownNotebook = (): NotebookPanel | null =>
    (model.source as NotebookSource | null)?.panel ?? tracker.currentWidget;

  const editTags = (
    describe: string,
    edit: (cells: ICellTags[], selected: number[]) => ITagEdit[]
  ): void => {
    const panel = tracker.currentWidget;
    if (!panel) {
      Notification.warning(`Open a notebook first to ${describe}.`, { autoClose: 4000 });
      return;
    }
    const notebook = panel.content;
    const generated = generatedStage({ nb2pipe: notebook.model?.getMetadata('nb2pipe') });
    if (generated) {
      Notification.error(generatedStageMessage(generated, describe), { autoClose: 8000 });
      return;
    }
    const cells = cellTags(notebook);
    const selected = selectedIndices(notebook);
    if (!selected.some(i => cells[i]?.type === 'code')) {
      Notification.warning(`Select one or more code cells to ${describe}.`, { autoClose: 4000 });
      return;
    }
    const edits = edit(cells, selected);
    void ctx.follow(panel).then(() => {
      applyTagEdits(notebook, edits);
      if (edits.length === 0) {
        // Nothing to change: answer the click with a fresh analysis all the same.
        void model.analyzeNow();
      }
    });
  };

  commands.addCommand(CommandIds.openPanel, {
    label: 'Show the Pipeline panel',
    icon: pipelineIcon,
    execute: () => shell.activateById(PANEL_ID)
  });

  commands.addCommand(CommandIds.assignStage, {
    label: args =>
      args.name
        ? `Assign selected cells to stage ${args.name}`
        : 'Assign selected cells to a stage…',
    isEnabled: hasNotebook,
    execute: async args => {
      let name = typeof args.name === 'string' ? args.name : '';
      if (!name) {
        const answer = await InputDialog.getText({
          title: 'Assign the selected cells to stage',
          placeholder: 'stage name, e.g. train'
        });
        if (!answer.button.accept || !answer.value) {
          return;
        }
        name = answer.value.trim();
      }
      const problem = stageNameProblem(name);
      if (problem) {
        Notification.error(`'${name}' is not a valid stage name: ${problem}.`, { autoClose: 6000 });
        return;
      }
      editTags(`assign them to stage ${name}`, (cells, selected) =>
        assignStage(cells, selected, name)
      );
    }
  });

  commands.addCommand(CommandIds.renameStage, {
    label: args => (args.from ? `Rename stage ${args.from}…` : 'Rename a stage…'),
    isEnabled: hasNotebook,
    execute: async args => {
      const panel = shownNotebook();
      const from = typeof args.from === 'string' ? args.from : '';
      if (!panel || !from) {
        return;
      }
      let to = typeof args.to === 'string' ? args.to : '';
      if (!to) {
        const answer = await InputDialog.getText({ title: `Rename stage ${from} to`, text: from });
        if (!answer.button.accept || !answer.value) {
          return;
        }
        to = answer.value.trim();
      }
      const problem = stageNameProblem(to);
      const cells = cellTags(panel.content);
      if (problem) {
        Notification.error(`'${to}' is not a valid stage name: ${problem}.`, { autoClose: 6000 });
      } else if (to !== from && stageNames(cells).includes(to)) {
        Notification.error(
          `There is already a stage '${to}': pick another name, or assign the cells to it.`,
          { autoClose: 6000 }
        );
      } else {
        applyTagEdits(panel.content, renameStage(cells, from, to));
      }
    }
  });

  const toggle = (id: string, flag: Flag, label: string) =>
    commands.addCommand(id, {
      label,
      isEnabled: hasNotebook,
      execute: () => editTags(`mark them '${flag}'`, (cells, sel) => toggleFlag(cells, sel, flag))
    });
  toggle(CommandIds.toggleParameters, 'parameters', "Mark/unmark selected cells 'parameters'");
  toggle(CommandIds.toggleSkip, 'skip', "Mark/unmark selected cells 'skip'");

  commands.addCommand(CommandIds.revealCell, {
    label: 'Go to a cell of the notebook the Pipeline panel shows',
    execute: async args => {
      const panel = shownNotebook();
      if (panel && typeof args.index === 'number') {
        shell.activateById(panel.id);
        await revealCell(panel.content, args.index);
      }
    }
  });

  commands.addCommand(CommandIds.exportPipeline, {
    label: 'Export to pipeline',
    caption: 'Save the notebook and write its pipeline: dvc.yaml, stage notebooks and scripts',
    icon: pipelineIcon,
    isEnabled: hasNotebook,
    execute: args => exportPipeline(ctx, args.force === true)
  });

  commands.addCommand(CommandIds.run, {
    label: 'Run pipeline',
    caption: 'Run the exported pipeline; only stages whose inputs changed run again',
    isEnabled: () => hasNotebook() && !model.running,
    execute: () => runPipeline(ctx)
  });

  commands.addCommand(CommandIds.openFailure, {
    label: 'Open the executed notebook of the failed stage',
    execute: args => openFailure(ctx, args as unknown as IRunFailure)
  });

  for (const command of [
    CommandIds.openPanel,
    CommandIds.assignStage,
    CommandIds.toggleParameters,
    CommandIds.toggleSkip,
    CommandIds.exportPipeline,
    CommandIds.run
  ]) {
    palette?.addItem({ command, category: CATEGORY });
  }
}
