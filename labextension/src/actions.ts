/**
 * Export and run, as the user sees them: save first, call the server through the model, and
 * say what happened in a notification with the next step offered as an action.
 */

import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { IDocumentManager } from '@jupyterlab/docmanager';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';

import { ApiError } from './api';
import { CommandIds, PANEL_ID } from './ids';
import { failureSentence, messageOf, PipelineModel } from './model';
import { generatedStage, generatedStageMessage } from './tags';
import type { IExportResult, IRunStatus } from './types';

export interface ICommandContext {
  app: JupyterFrontEnd;
  tracker: INotebookTracker;
  docManager: IDocumentManager;
  model: PipelineModel;
  trans: TranslationBundle;
  /** Make the model follow `panel` once its content is loaded (unless it is a report). */
  follow: (panel: NotebookPanel) => Promise<void>;
}

export async function exportPipeline(ctx: ICommandContext, force: boolean): Promise<void> {
  const { trans } = ctx;
  const panel = ctx.tracker.currentWidget;
  if (!panel) {
    return;
  }
  // A stage notebook nb2pipe generated, or its executed copy: refused before it is saved (a
  // save would make it a hand-edited file the next export of the user's notebook refuses).
  const generated = generatedStage({ nb2pipe: panel.content.model?.getMetadata('nb2pipe') });
  if (generated) {
    Notification.error(generatedStageMessage(generated, trans.__('export its pipeline')), {
      autoClose: 8000
    });
    return;
  }
  await ctx.follow(panel);
  try {
    await panel.context.save();
    announceExport(ctx, await ctx.model.exportPipeline(force));
  } catch (error) {
    const body = error instanceof ApiError ? error.body : null;
    const status = error instanceof ApiError ? error.status : -1;
    if (status === 409) {
      const paths = body?.paths ?? [];
      const which = paths.length
        ? `: ${paths.slice(0, 2).join(', ')}${paths.length > 2 ? ', …' : ''}`
        : '';
      Notification.warning(trans.__('Not exported: generated files were edited by hand%1', which), {
        autoClose: false,
        actions: [
          {
            label: trans.__('Overwrite'),
            caption: messageOf(error),
            displayType: 'warn',
            callback: () =>
              void ctx.app.commands.execute(CommandIds.exportPipeline, { force: true })
          }
        ]
      });
    } else if (status === 422 && body?.diagnostics) {
      const n = body.diagnostics.length;
      ctx.app.shell.activateById(PANEL_ID);
      Notification.error(
        trans._n(
          'Not exported: the notebook has %1 problem to fix first (see the Pipeline panel)',
          'Not exported: the notebook has %1 problems to fix first (see the Pipeline panel)',
          n
        ),
        { autoClose: 8000 }
      );
    } else {
      Notification.error(trans.__('Not exported: %1', messageOf(error)), { autoClose: false });
    }
  }
}

function announceExport(ctx: ICommandContext, result: IExportResult): void {
  const { trans } = ctx;
  const { written, unchanged, removed } = result;
  const counts = [
    trans._n('%1 file written', '%1 files written', written.length),
    unchanged.length ? trans.__('%1 unchanged', unchanged.length) : '',
    removed.length ? trans.__('%1 removed', removed.length) : ''
  ].filter(Boolean);
  const message =
    written.length || removed.length
      ? trans.__('Pipeline exported to %1: %2', result.dvc_yaml, counts.join(', '))
      : trans.__(
          'Pipeline in %1 is up to date (%2 files unchanged)',
          result.dvc_yaml,
          unchanged.length
        );
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
        label: trans.__('Open dvc.yaml'),
        callback: () => void ctx.docManager.openOrReveal(result.dvc_yaml)
      },
      {
        label: trans.__('Run pipeline'),
        displayType: 'accent',
        callback: () => void ctx.app.commands.execute(CommandIds.run)
      }
    ]
  });
}

export async function runPipeline(ctx: ICommandContext): Promise<void> {
  const { trans } = ctx;
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
    Notification.error(trans.__('The pipeline did not start: %1', messageOf(error)), {
      autoClose: false
    });
    return;
  }
  if (status.state === 'cancelled') {
    Notification.info(status.message ?? trans.__('The pipeline run was cancelled'), {
      autoClose: 6000
    });
    return;
  }
  if (status.state === 'done') {
    const ran = status.stages.filter(s => s.state === 'done').length;
    const skipped = status.stages.filter(s => s.state === 'skipped').length;
    Notification.success(
      trans._n(
        'Pipeline done: %1 stage ran, %2 up to date',
        'Pipeline done: %1 stages ran, %2 up to date',
        ran,
        skipped
      ),
      { autoClose: 5000 }
    );
    return;
  }
  const failure = status.failure;
  const where = failure ? ctx.model.stageFailure(failure.stage) : null;
  Notification.error(
    failure
      ? failureSentence(failure)
      : trans.__('The pipeline failed: %1', status.message ?? trans.__('no reason given')),
    {
      autoClose: false,
      actions: where?.executed_notebook
        ? [
            {
              label: trans.__('Open the executed notebook'),
              callback: () =>
                void ctx.app.commands.execute(CommandIds.openFile, {
                  path: where.executed_notebook
                })
            }
          ]
        : []
    }
  );
  // The user's own notebook, at the cell that raised (its error shows beside it): the
  // executed stage notebook is generated, and editing it would change nothing.
  if (where?.cell !== null && where?.cell !== undefined) {
    await ctx.app.commands.execute(CommandIds.revealCell, { index: where.cell });
  }
}
