/**
 * Export and run, as the user sees them: save first, call the server through the model, and
 * say what happened in a notification with the next step offered as an action.
 */

import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { IDocumentManager } from '@jupyterlab/docmanager';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { ApiError } from './api';
import { CommandIds, PANEL_ID } from './ids';
import { failureSentence, messageOf, PipelineModel } from './model';
import { revealCell } from './notebook';
import type { IExportResult, IRunFailure, IRunStatus } from './types';

export interface ICommandContext {
  app: JupyterFrontEnd;
  tracker: INotebookTracker;
  docManager: IDocumentManager;
  model: PipelineModel;
  /** Make the model follow `panel` once its content is loaded (unless it is a report). */
  follow: (panel: NotebookPanel) => Promise<void>;
  /** Notebooks the panel never follows: executed stage notebooks opened to show a failure. */
  reports: Set<string>;
}

export async function exportPipeline(ctx: ICommandContext, force: boolean): Promise<void> {
  const panel = ctx.tracker.currentWidget;
  if (!panel) {
    return;
  }
  await ctx.follow(panel);
  try {
    await panel.context.save();
    announceExport(ctx, await ctx.model.exportPipeline(force));
  } catch (error) {
    const status = error instanceof ApiError ? error.status : -1;
    if (status === 409) {
      const paths = (error as ApiError).body.paths ?? [];
      const which = paths.length
        ? `: ${paths.slice(0, 2).join(', ')}${paths.length > 2 ? ', …' : ''}`
        : '';
      Notification.warning(`Not exported: generated files were edited by hand${which}`, {
        autoClose: false,
        actions: [
          {
            label: 'Overwrite',
            caption: messageOf(error),
            displayType: 'warn',
            callback: () =>
              void ctx.app.commands.execute(CommandIds.exportPipeline, { force: true })
          }
        ]
      });
    } else if (status === 422 && (error as ApiError).body.diagnostics) {
      const n = (error as ApiError).body.diagnostics!.length;
      ctx.app.shell.activateById(PANEL_ID);
      Notification.error(
        `Not exported: the notebook has ${n} problem${n === 1 ? '' : 's'} to fix first (see the Pipeline panel)`,
        { autoClose: 8000 }
      );
    } else {
      Notification.error(`Not exported: ${messageOf(error)}`, { autoClose: false });
    }
  }
}

function announceExport(ctx: ICommandContext, result: IExportResult): void {
  const { written, unchanged, removed } = result;
  const counts = [
    `${written.length} file${written.length === 1 ? '' : 's'} written`,
    unchanged.length ? `${unchanged.length} unchanged` : '',
    removed.length ? `${removed.length} removed` : ''
  ].filter(Boolean);
  const message =
    written.length || removed.length
      ? `Pipeline exported to ${result.dvc_yaml}: ${counts.join(', ')}`
      : `Pipeline in ${result.dvc_yaml} is up to date (${unchanged.length} files unchanged)`;
  for (const kept of result.kept_params ?? []) {
    Notification.info(
      `params.yaml keeps '${kept.name}: ${JSON.stringify(kept.value)}', set outside the ` +
        `notebook (which says ${JSON.stringify(kept.notebook_value)}): the pipeline runs with ` +
        "it. To use the notebook's value, set it in params.yaml (or run 'nb2pipe convert " +
        "--force').",
      { autoClose: false }
    );
  }
  Notification.success(message, {
    autoClose: 10000,
    actions: [
      {
        label: 'Open dvc.yaml',
        callback: () => void ctx.docManager.openOrReveal(result.dvc_yaml)
      },
      {
        label: 'Run pipeline',
        displayType: 'accent',
        callback: () => void ctx.app.commands.execute(CommandIds.run)
      }
    ]
  });
}

export async function runPipeline(ctx: ICommandContext): Promise<void> {
  const panel = ctx.tracker.currentWidget;
  if (panel) {
    await ctx.follow(panel);
  }
  if (ctx.model.running) {
    return;
  }
  ctx.app.shell.activateById(PANEL_ID);
  let status: IRunStatus;
  try {
    status = await ctx.model.runPipeline(false);
  } catch (error) {
    Notification.error(`The pipeline did not start: ${messageOf(error)}`, { autoClose: false });
    return;
  }
  if (status.state === 'done') {
    const ran = status.stages.filter(s => s.state === 'done').length;
    const skipped = status.stages.filter(s => s.state === 'skipped').length;
    Notification.success(
      `Pipeline done: ${ran} stage${ran === 1 ? '' : 's'} ran, ${skipped} up to date`,
      {
        autoClose: 5000
      }
    );
    return;
  }
  const failure = status.failure;
  Notification.error(
    failure
      ? failureSentence(failure)
      : `The pipeline failed: ${status.message ?? 'no reason given'}`,
    { autoClose: false }
  );
  if (failure?.executed_notebook) {
    await openFailure(ctx, failure);
  }
}

/** Open the executed notebook of a failed stage and show the cell that raised. */
export async function openFailure(ctx: ICommandContext, failure: IRunFailure): Promise<void> {
  if (!failure.executed_notebook) {
    return;
  }
  // The panel keeps showing the notebook whose run failed, with the error under its stage.
  ctx.reports.add(failure.executed_notebook);
  const widget = ctx.docManager.openOrReveal(failure.executed_notebook);
  if (!widget) {
    return;
  }
  await widget.context.ready;
  const panel = widget as unknown as NotebookPanel;
  if (failure.cell_index !== null && panel.content?.widgets) {
    await panel.revealed;
    await revealCell(panel.content, failure.cell_index);
  }
}
