/**
 * nb2pipe's JupyterLab plugin: wiring only. The Pipeline panel follows the active notebook,
 * every notebook gets stage stripes, and the commands (commands.ts) do the work; the state
 * lives in the model (model.ts), which the plugin provides to others as IPipelineModel.
 */

import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { HttpApi } from './api';
import { registerCommands } from './commands';
import { pipelineIcon } from './icons';
import { addExperimentsView } from './experiments/view';
import { CommandIds, PANEL_ID } from './ids';
import { PipelineModel } from './model';
import { cellTags, NotebookSource, selectedIndices } from './notebook';
import { IPipelineModel } from './tokens';
import { PipelinePanel } from './widgets/panel';
import { CellStripes } from './widgets/stripes';

export { IPipelineModel } from './tokens';

const PLUGIN_ID = 'nb2pipe:plugin';

const plugin: JupyterFrontEndPlugin<PipelineModel> = {
  id: PLUGIN_ID,
  description: 'Pipeline panel, stage stripes and export/run commands for nb2pipe.',
  autoStart: true,
  provides: IPipelineModel,
  requires: [INotebookTracker, IDocumentManager],
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settings: ISettingRegistry | null,
    translator: ITranslator | null
  ): PipelineModel => {
    const trans = (translator ?? nullTranslator).load('nb2pipe');
    const api = new HttpApi();
    const model = new PipelineModel(api);

    if (settings) {
      void settings.load(PLUGIN_ID).then(loaded => {
        const apply = () =>
          model.configure({
            debounceMs: loaded.get('debounceMs').composite as number,
            pollMs: loaded.get('pollInterval').composite as number
          });
        apply();
        loaded.changed.connect(apply);
      });
    }

    const follow = async (panel: NotebookPanel): Promise<void> => {
      await panel.context.ready;
      if (panel.isDisposed || model.isReport(panel.context.path)) {
        return;
      }
      const source = model.sourceFor(panel, () => {
        const made = new NotebookSource(panel);
        panel.disposed.connect(() => {
          if (model.source === made) {
            model.setSource(null);
          }
        });
        return made;
      });
      model.setSource(source);
    };

    const shown = (): NotebookPanel | null => {
      const source = model.source;
      return source instanceof NotebookSource ? source.panel : null;
    };
    const view = new PipelinePanel(model, app.commands, trans, () => {
      const panel = shown();
      return panel
        ? { tags: () => cellTags(panel.content), selected: () => selectedIndices(panel.content) }
        : null;
    });
    view.title.icon = pipelineIcon;
    view.title.caption = trans.__('Pipeline');
    app.shell.add(view, 'left', { rank: 650 });
    restorer?.add(view, PANEL_ID);

    const openFile = (path: string) => void app.commands.execute(CommandIds.openFile, { path });
    tracker.widgetAdded.connect((_, panel) => {
      new CellStripes(panel, model, trans, openFile);
    });
    tracker.currentChanged.connect((_, panel) => {
      if (panel) {
        void follow(panel);
      }
    });
    // Which cells an assignment would cover follows the selection.
    tracker.activeCellChanged.connect(() => view.updateAssignPreview());
    tracker.selectionChanged.connect(() => view.updateAssignPreview());
    model.changed.connect(() => view.updateAssignPreview());
    if (tracker.currentWidget) {
      void follow(tracker.currentWidget);
    }

    addExperimentsView(app, model, api, trans, restorer, shown);

    registerCommands({ app, tracker, docManager, model, trans, follow }, palette);
    return model;
  }
};

export default plugin;
