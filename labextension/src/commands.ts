/**
 * The user's actions as JupyterLab commands (ids in ids.ts): the panel's buttons, the toolbar
 * button and the palette all go through these, so each action exists once.
 */

import { ICommandPalette, InputDialog, Notification } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';

import { exportPipeline, ICommandContext, runPipeline } from './actions';
import { cellSources, headingNames } from './headings';
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
  ICellTags,
  withStageTag
} from './tags';

export type { ICommandContext } from './actions';

const CATEGORY = 'Pipeline';

export function registerCommands(ctx: ICommandContext, palette: ICommandPalette | null): void {
  const { app, tracker, model, trans } = ctx;
  const { commands, shell } = app;
  const hasNotebook = () => tracker.currentWidget !== null;

  /** The notebook the panel is showing; the active one if the panel follows none yet. */
  const shownNotebook = (): NotebookPanel | null => {
    const source = model.source;
    return source instanceof NotebookSource ? source.panel : tracker.currentWidget;
  };

  const editTags = (
    describe: string,
    edit: (cells: ICellTags[], selected: number[]) => ITagEdit[]
  ): void => {
    const panel = tracker.currentWidget;
    if (!panel) {
      Notification.warning(trans.__('Open a notebook first to %1.', describe), {
        autoClose: 4000
      });
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
      Notification.warning(trans.__('Select one or more code cells to %1.', describe), {
        autoClose: 4000
      });
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
    label: trans.__('Show the Pipeline panel'),
    icon: pipelineIcon,
    execute: () => shell.activateById(PANEL_ID)
  });

  commands.addCommand(CommandIds.assignStage, {
    label: args =>
      args.name
        ? trans.__('Assign selected cells to stage %1', String(args.name))
        : trans.__('Assign selected cells to a stage…'),
    isEnabled: hasNotebook,
    execute: async args => {
      let name = typeof args.name === 'string' ? args.name : '';
      if (!name) {
        const answer = await InputDialog.getText({
          title: trans.__('Assign the selected cells to stage'),
          placeholder: trans.__('stage name, e.g. train')
        });
        if (!answer.button.accept || !answer.value) {
          return;
        }
        name = answer.value.trim();
      }
      const problem = stageNameProblem(name);
      if (problem) {
        Notification.error(trans.__("'%1' is not a valid stage name: %2.", name, problem), {
          autoClose: 6000
        });
        return;
      }
      editTags(trans.__('assign them to stage %1', name), (cells, selected) =>
        assignStage(cells, selected, name)
      );
    }
  });

  commands.addCommand(CommandIds.renameStage, {
    label: args =>
      args.from ? trans.__('Rename stage %1…', String(args.from)) : trans.__('Rename a stage…'),
    isEnabled: hasNotebook,
    execute: async args => {
      const panel = shownNotebook();
      const from = typeof args.from === 'string' ? args.from : '';
      if (!panel || !from) {
        return;
      }
      let to = typeof args.to === 'string' ? args.to : '';
      if (!to) {
        const answer = await InputDialog.getText({
          title: trans.__('Rename stage %1 to', from),
          text: from
        });
        if (!answer.button.accept || !answer.value) {
          return;
        }
        to = answer.value.trim();
      }
      const problem = stageNameProblem(to);
      const cells = cellTags(panel.content);
      if (problem) {
        Notification.error(trans.__("'%1' is not a valid stage name: %2.", to, problem), {
          autoClose: 6000
        });
      } else if (to !== from && stageNames(cells).includes(to)) {
        Notification.error(
          trans.__(
            "There is already a stage '%1': pick another name, or assign the cells to it.",
            to
          ),
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
      execute: () =>
        editTags(trans.__("mark them '%1'", flag), (cells, sel) => toggleFlag(cells, sel, flag))
    });
  toggle(
    CommandIds.toggleParameters,
    'parameters',
    trans.__("Mark/unmark selected cells 'parameters'")
  );
  toggle(CommandIds.toggleSkip, 'skip', trans.__("Mark/unmark selected cells 'skip'"));

  commands.addCommand(CommandIds.splitAtHeadings, {
    label: args =>
      typeof args.level === 'number'
        ? trans.__('Split the notebook into stages at its level-%1 headings', args.level)
        : trans.__('Split the notebook into stages at its headings'),
    isEnabled: hasNotebook,
    execute: async args => {
      const panel = shownNotebook();
      const level = typeof args.level === 'number' ? args.level : model.split?.level;
      if (!panel || level === undefined) {
        return;
      }
      // The same tags as `nb2pipe tag --by-headings=LEVEL`: one on the first code cell of each
      // section, named after its heading.
      const names = headingNames(cellSources(panel.context.model.toJSON()), level);
      const cells = cellTags(panel.content);
      const edits: ITagEdit[] = [...names].map(([index, name]) => ({
        index,
        tags: withStageTag(cells[index].tags, name)
      }));
      model.cancelSplit();
      await ctx.follow(panel);
      applyTagEdits(panel.content, edits);
    }
  });

  commands.addCommand(CommandIds.openFile, {
    label: args =>
      typeof args.path === 'string' ? trans.__('Open %1', args.path) : trans.__('Open a file'),
    execute: args => {
      if (typeof args.path === 'string') {
        // Stage reports are generated: the panel keeps following the user's notebook.
        model.markReport(args.path);
        ctx.docManager.openOrReveal(args.path);
      }
    }
  });

  commands.addCommand(CommandIds.revealCell, {
    label: trans.__('Go to a cell of the notebook the Pipeline panel shows'),
    execute: async args => {
      const panel = shownNotebook();
      if (panel && typeof args.index === 'number') {
        shell.activateById(panel.id);
        await revealCell(panel.content, args.index);
      }
    }
  });

  commands.addCommand(CommandIds.exportPipeline, {
    label: trans.__('Export to pipeline'),
    caption: trans.__(
      'Save the notebook and write its pipeline: dvc.yaml, stage notebooks and scripts'
    ),
    icon: pipelineIcon,
    isEnabled: hasNotebook,
    execute: args => exportPipeline(ctx, args.force === true)
  });

  commands.addCommand(CommandIds.run, {
    label: trans.__('Run pipeline'),
    caption: trans.__('Run the exported pipeline; only stages whose inputs changed run again'),
    isEnabled: () => hasNotebook() && !model.running,
    execute: () => runPipeline(ctx)
  });

  commands.addCommand(CommandIds.cancelRun, {
    label: trans.__('Cancel the pipeline run'),
    caption: trans.__('Stop the running stages; the stages already done stay recorded in dvc.lock'),
    isEnabled: () => model.running && !model.cancelling,
    execute: () => model.cancelRun()
  });

  for (const command of [
    CommandIds.openPanel,
    CommandIds.assignStage,
    CommandIds.toggleParameters,
    CommandIds.toggleSkip,
    CommandIds.splitAtHeadings,
    CommandIds.exportPipeline,
    CommandIds.run,
    CommandIds.cancelRun
  ]) {
    palette?.addItem({ command, category: trans.__(CATEGORY) });
  }
}
