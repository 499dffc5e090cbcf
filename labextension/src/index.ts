/**
 * nb2pipe's JupyterLab plugin: wiring only. The Pipeline panel follows the active notebook,
 * every notebook gets stage stripes, and the commands (commands.ts) do the work.
 */

import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

import { HttpApi } from './api';
import { registerCommands } from './commands';
import { pipelineIcon } from './icons';
import { PANEL_ID } from './ids';
import { PipelineModel } from './model';
import { cellTags, NotebookSource } from './notebook';
import { stageCells } from './tags';
import { PipelinePanel } from './widgets/panel';
import { CellStripes } from './widgets/stripes';

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'nb2pipe:plugin',
  description: 'Pipeline panel, stage stripes and export/run commands for nb2pipe.',
  autoStart: true,
  requires: [INotebookTracker, IDocumentManager],
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const model = new PipelineModel(new HttpApi());
    const sources = new WeakMap<NotebookPanel, NotebookSource>();
    const reports = new Set<string>();

    const follow = async (panel: NotebookPanel): Promise<void> => {
      await panel.context.ready;
      if (panel.isDisposed || reports.has(panel.context.path)) {
        return;
      }
      let source = sources.get(panel);
      if (!source) {
        source = new NotebookSource(panel);
        sources.set(panel, source);
        panel.disposed.connect(() => {
          if (model.source === source) {
            model.setSource(null);
          }
        });
      }
      model.setSource(source);
    };

    tracker.widgetAdded.connect((_, panel) => {
      new CellStripes(panel);
    });
    tracker.currentChanged.connect((_, panel) => {
      if (panel) {
        void follow(panel);
      }
    });
    if (tracker.currentWidget) {
      void follow(tracker.currentWidget);
    }

    const view = new PipelinePanel(model, app.commands, () => {
      const shown = (model.source as NotebookSource | null)?.panel;
      return shown ? stageCells(cellTags(shown.content)) : [];
    });
    view.title.icon = pipelineIcon;
    view.title.caption = 'Pipeline';
    app.shell.add(view, 'left', { rank: 650 });
    restorer?.add(view, PANEL_ID);

    registerCommands({ app, tracker, docManager, model, follow, reports }, palette);
  }
};

export default plugin;
