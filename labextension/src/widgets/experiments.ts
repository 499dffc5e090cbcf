/**
 * The Experiments side panel: the pipeline's parameters (edit them; a comma list is a grid),
 * Run, the progress of the experiments, DVC's experiments as a table of parameters and metrics
 * (sortable, the best highlighted, a row chosen for Apply), a plot of a metric against a
 * parameter (experiment-plot.ts) and where the workspace's metrics come from (provenance.ts). It
 * renders ExperimentsModel; Apply and revealing a cell go to callbacks, so it never touches the
 * notebook itself.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import { refreshIcon, ToolbarButton } from '@jupyterlab/ui-components';

import type { ExperimentsModel } from '../experiments/model';
import { shownValue } from '../experiments/values';
import type { IExperiment, IStageRun } from '../types';
import { renderPlot } from './experiment-plot';
import { renderProvenance } from './provenance';
import { NotebookSidePanel } from './side-panel';
import { h } from './stages';

export const EXPERIMENTS_ID = 'nb2pipe-experiments';

export interface IExperimentsActions {
  /** Write the experiment's parameter values into the notebook's parameters cell. */
  apply: (experiment: IExperiment) => void;
  /** Run the typed values; the caller reports the outcome. */
  run: () => void;
  revealCell: (index: number) => void;
}

export class ExperimentsPanel extends NotebookSidePanel {
  constructor(
    private readonly model: ExperimentsModel,
    private readonly actions: IExperimentsActions,
    trans: TranslationBundle
  ) {
    super(EXPERIMENTS_ID, trans.__('Experiments'), model, trans);
    this.addClass('nb2pipe-experiments');
    this.refresh = new ToolbarButton({
      className: 'nb2pipe-refresh',
      icon: refreshIcon,
      tooltip: trans.__('Read the experiments again (dvc exp show)'),
      onClick: () => void model.refresh()
    });
    this.toolbar.addItem('refresh', this.refresh);
    this.body.append(this.params, this.progress, this.main);
    this.runButton.addEventListener('click', () => this.actions.run());
    this.resetButton.addEventListener('click', () => model.resetEdits());
    this.render();
  }

  protected render(): void {
    const { model, trans } = this;
    const data = model.data;
    this.node.dataset.count = String(data?.experiments.length ?? -1);
    this.refresh.enabled = model.path !== null && !model.loading;
    this.showPath(model.path, trans.__('Open a notebook to see its experiments'));
    this.renderParams();
    this.renderProgress();
    const parts: HTMLElement[] = [];
    if (model.error) {
      parts.push(
        h('div', { className: 'nb2pipe-message nb2pipe-severity-error', text: model.error })
      );
    }
    const run = model.run;
    if (run?.state === 'failed' && run.message) {
      parts.push(
        h('div', { className: 'nb2pipe-message nb2pipe-severity-error', text: run.message })
      );
    }
    if (data?.message) {
      parts.push(h('div', { className: 'nb2pipe-message', text: data.message }));
    }
    if (data === null && model.path !== null) {
      parts.push(h('div', { className: 'nb2pipe-message', text: trans.__('Reading…') }));
    }
    if (data && data.dvc_yaml) {
      parts.push(this.table());
      const plot = renderPlot(model, trans);
      if (plot) {
        parts.push(plot);
      }
      if (data.provenance.length > 0) {
        parts.push(
          renderProvenance(data.provenance, this.openSources, this.actions.revealCell, trans)
        );
      }
    }
    this.main.replaceChildren(...parts);
  }

  /**
   * The inputs are made again only when the parameters change, so typing in one keeps its
   * focus; each render updates their marks and the Run button.
   */
  private renderParams(): void {
    const { model, trans } = this;
    const params = model.data?.dvc_yaml ? model.data.params : [];
    const key = JSON.stringify(params);
    if (key !== this.paramsKey) {
      this.paramsKey = key;
      this.inputs.clear();
      const list = h('div', { className: 'nb2pipe-exp-params' });
      for (const param of params) {
        const input = h('input', { className: 'nb2pipe-exp-value jp-mod-styled' });
        input.type = 'text';
        input.spellcheck = false;
        input.dataset.param = param.name;
        input.setAttribute('aria-label', param.name);
        input.title = trans.__(
          '%1 (%2): a comma list runs one experiment per value',
          param.name,
          typeof param.value
        );
        input.addEventListener('input', () => model.setText(param.name, input.value));
        input.addEventListener('keydown', event => {
          if (event.key === 'Enter' && !this.runButton.disabled) {
            this.actions.run();
          }
        });
        const hint = h('div', { className: 'nb2pipe-hint' });
        this.inputs.set(param.name, [input, hint]);
        list.append(h('label', { className: 'nb2pipe-exp-name', text: param.name }), input, hint);
      }
      this.params.replaceChildren(
        h('div', { className: 'nb2pipe-heading', text: trans.__('Parameters') }),
        params.length
          ? list
          : h('div', {
              className: 'nb2pipe-message',
              text: trans.__("No parameters: tag a cell 'parameters' to vary its values")
            }),
        h('div', { className: 'nb2pipe-row nb2pipe-actions' }, this.resetButton, this.runButton)
      );
      this.params.hidden = model.data?.dvc_yaml == null;
    }
    let edited = false;
    for (const [name, [input, hint]] of this.inputs) {
      const text = model.text(name);
      if (document.activeElement !== input && input.value !== text) {
        input.value = text;
      }
      const problem = model.problem(name);
      input.classList.toggle('nb2pipe-invalid', problem !== null);
      hint.textContent = problem ?? '';
      edited ||= text !== shownValue(model.data?.params.find(p => p.name === name)?.value);
    }
    const count = model.count;
    this.runButton.textContent = model.running
      ? trans.__('Running…')
      : count > 1
        ? trans.__('Run %1 experiments', count)
        : trans.__('Run experiment');
    this.runButton.title = trans.__(
      'Run the pipeline with these values as DVC experiments (only the stages they change)'
    );
    this.runButton.disabled = model.running || count === 0;
    this.resetButton.textContent = trans.__('Reset');
    this.resetButton.title = trans.__("Back to params.yaml's values");
    this.resetButton.disabled = !edited;
  }

  private renderProgress(): void {
    const run = this.model.run;
    this.progress.replaceChildren();
    this.progress.hidden = run === null;
    if (run === null) {
      return;
    }
    this.progress.dataset.state = run.state;
    for (const stage of run.stages) {
      this.progress.appendChild(this.progressRow(stage));
    }
  }

  private progressRow(stage: IStageRun): HTMLElement {
    const trans = this.trans;
    const doing =
      stage.state === 'running'
        ? (stage.cell ?? trans.__('starting'))
        : stage.state === 'done'
          ? (stage.detail ?? '')
          : stage.state === 'failed'
            ? (stage.detail ?? '')
            : trans.__(stage.state);
    const row = h(
      'li',
      { className: 'nb2pipe-exp-progress-row' },
      h('span', {
        className: 'nb2pipe-exp-label',
        text: stage.name || trans.__('current values')
      }),
      h('span', { className: 'nb2pipe-exp-doing', text: doing, title: stage.detail ?? '' }),
      h('span', {
        className: 'nb2pipe-seconds',
        text: stage.seconds ? trans.__('%1 s', stage.seconds.toFixed(1)) : ''
      })
    );
    row.dataset.state = stage.state;
    return row;
  }

  private table(): HTMLElement {
    const { model, trans } = this;
    const data = model.data!;
    const rows = model.rows;
    if (data.experiments.length <= 1) {
      const hint = h('div', {
        className: 'nb2pipe-message',
        text: trans.__('No experiments yet: change a value above (or type a comma list) and run.')
      });
      if (data.experiments.length === 0) {
        return hint;
      }
      return h('div', {}, hint, this.tableOf(rows));
    }
    return this.tableOf(rows);
  }

  private tableOf(rows: IExperiment[]): HTMLElement {
    const { model, trans } = this;
    const data = model.data!;
    const best = model.best;
    const selected = model.selected;
    const head = h('tr', {});
    const column = (name: string, kind: 'param' | 'metric') => {
      const sorted = model.sortColumn === name;
      const th = h('th', {
        className: `nb2pipe-exp-${kind}`,
        text: name + (sorted ? (model.descending ? ' ▾' : ' ▴') : ''),
        title: trans.__('Sort by %1', name)
      });
      th.dataset.column = name;
      th.setAttribute(
        'aria-sort',
        sorted ? (model.descending ? 'descending' : 'ascending') : 'none'
      );
      th.addEventListener('click', () => model.sortBy(name));
      return th;
    };
    head.append(h('th', { text: trans.__('name') }));
    head.append(...data.param_columns.map(c => column(c, 'param')));
    head.append(...data.metric_columns.map(c => column(c, 'metric')));
    const body = h('tbody', {});
    for (const row of rows) {
      const tr = h('tr', { className: 'nb2pipe-exp-row' });
      tr.dataset.rev = row.rev;
      tr.dataset.name = row.name;
      tr.classList.toggle('nb2pipe-best', row.rev === best);
      const workspace = row.rev === 'workspace';
      tr.append(
        h('td', {
          className: 'nb2pipe-exp-label',
          text: workspace ? trans.__('workspace') : row.name,
          title: workspace ? trans.__('the values and metrics now') : row.rev.slice(0, 7)
        })
      );
      for (const c of data.param_columns) {
        tr.append(h('td', { className: 'nb2pipe-exp-param', text: shownValue(row.params[c]) }));
      }
      for (const c of data.metric_columns) {
        tr.append(h('td', { className: 'nb2pipe-exp-metric', text: metricText(row.metrics[c]) }));
      }
      tr.classList.toggle('nb2pipe-selected', row.rev === selected?.rev);
      tr.title = trans.__('Click to choose this experiment for Apply');
      tr.addEventListener('click', () => model.select(row.rev));
      body.append(tr);
    }
    const table = h('table', { className: 'nb2pipe-exp-table' }, h('thead', {}, head), body);
    const apply = h('button', {
      className: 'nb2pipe-exp-apply jp-Button jp-mod-styled',
      text: selected
        ? trans.__('Apply %1', selected.rev === 'workspace' ? trans.__('workspace') : selected.name)
        : trans.__('Apply'),
      title: trans.__("Write the chosen experiment's values into the notebook's parameters cell")
    });
    apply.disabled = selected === null;
    apply.addEventListener('click', () => selected && this.actions.apply(selected));
    return h(
      'div',
      {},
      h('div', { className: 'nb2pipe-heading', text: trans.__('Experiments (DVC)') }),
      h('div', { className: 'nb2pipe-exp-scroll' }, table),
      h('div', { className: 'nb2pipe-row nb2pipe-actions' }, apply)
    );
  }

  private paramsKey = '';
  private readonly openSources = new Set<string>();
  private readonly inputs = new Map<string, [HTMLInputElement, HTMLElement]>();
  private readonly refresh: ToolbarButton;
  private readonly params = h('div', { className: 'nb2pipe-exp-form' });
  private readonly progress = h('ol', { className: 'nb2pipe-exp-progress' });
  private readonly main = h('div', { className: 'nb2pipe-body' });
  private readonly runButton = h('button', {
    className: 'nb2pipe-exp-run jp-Button jp-mod-styled jp-mod-accept'
  });
  private readonly resetButton = h('button', {
    className: 'nb2pipe-exp-reset jp-Button jp-mod-styled'
  });
}

function metricText(value: unknown): string {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    return String(Math.round(value * 10000) / 10000);
  }
  return shownValue(value);
}
