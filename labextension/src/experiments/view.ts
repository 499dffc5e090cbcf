/**
 * The Experiments side panel's wiring: its model follows the notebook the Pipeline model
 * follows; Run reports its outcome in a notification as Run pipeline does; Apply writes into the
 * shown notebook (apply.ts) and says what changed.
 */

import type { ILayoutRestorer, JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { tableRowsIcon } from '@jupyterlab/ui-components';

import type { IExperimentsApi, INb2PipeApi } from '../api';
import { CommandIds } from '../ids';
import { messageOf, PipelineModel } from '../model';
import type { IExperiment } from '../types';
import { ExperimentsPanel, EXPERIMENTS_ID } from '../widgets/experiments';
import { applyParameters } from './apply';
import { ExperimentsModel } from './model';

export function addExperimentsView(
  app: JupyterFrontEnd,
  pipeline: PipelineModel,
  api: INb2PipeApi & IExperimentsApi,
  trans: TranslationBundle,
  restorer: ILayoutRestorer | null,
  shownNotebook: () => NotebookPanel | null
): ExperimentsModel {
  const model = new ExperimentsModel(pipeline, api);

  const run = async (): Promise<void> => {
    if (model.running) {
      return;
    }
    try {
      const final = await model.runExperiments();
      const saved = final.stages.filter(s => s.state === 'done').length;
      if (final.state === 'done') {
        Notification.success(trans._n('%1 experiment saved', '%1 experiments saved', saved), {
          autoClose: 5000
        });
      } else {
        Notification.error(
          trans.__('Experiments failed: %1', final.message ?? trans.__('no reason given')),
          { autoClose: false }
        );
      }
    } catch (error) {
      Notification.error(trans.__('The experiments did not start: %1', messageOf(error)), {
        autoClose: false
      });
    }
  };

  const apply = async (experiment: IExperiment): Promise<void> => {
    const panel = shownNotebook();
    if (panel && pipeline.analysis === null) {
      await pipeline.analyzeNow(); // the Pipeline panel analyses only while it is shown
    }
    const params = pipeline.analysis?.params ?? [];
    if (!panel || params.length === 0) {
      Notification.warning(trans.__('Open the notebook with the parameters cell first'), {
        autoClose: 5000
      });
      return;
    }
    const applied = applyParameters(panel.content, params, experiment.params);
    const name = experiment.rev === 'workspace' ? trans.__('the workspace') : experiment.name;
    if (applied.missing.length > 0) {
      Notification.warning(
        trans.__(
          'Not in the parameters cell as one line each, left as they are: %1',
          applied.missing.join(', ')
        ),
        { autoClose: 8000 }
      );
    }
    Notification.info(
      applied.changed.length
        ? trans.__(
            'Values of %1 written into the parameters cell: %2 (undo in the cell undoes it)',
            name,
            applied.changed.join(', ')
          )
        : trans.__('The parameters cell has the values of %1 already', name),
      { autoClose: 6000 }
    );
  };

  const view = new ExperimentsPanel(
    model,
    {
      apply: experiment => void apply(experiment),
      run: () => void run(),
      revealCell: index => void app.commands.execute(CommandIds.revealCell, { index })
    },
    trans
  );
  view.title.icon = tableRowsIcon;
  view.title.caption = trans.__('Experiments');
  app.shell.add(view, 'left', { rank: 651 });
  restorer?.add(view, EXPERIMENTS_ID);
  return model;
}
