/**
 * The Experiments side panel: the pipeline's parameters (edit them; a comma list is a grid),
 * Run, the progress of the experiments, DVC's experiments as a table of parameters and metrics
 * (sortable, the best highlighted, Apply per row), a small plot of a metric against a
 * parameter, and where the workspace's metrics come from. It renders ExperimentsModel; Apply and
 * revealing a cell go to callbacks, so it never touches the notebook itself.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import type { ExperimentsModel } from '../experiments/model';
import { layoutPlot, PLOT_HEIGHT, PLOT_WIDTH, tickLabel } from '../experiments/plot';
import { shownValue } from '../experiments/values';
import type { IExperiment, IMetricSource, IStageRun } from '../types';
import { cellRanges } from './split';
import { h } from './stages';

export const EXPERIMENTS_ID = 'nb2pipe-experiments';
const SVG = 'http://www.w3.org/2000/svg';

export interface IExperimentsActions {
  /** Write the experiment's parameter values into the notebook's parameters cell. */
  apply: (experiment: IExperiment) => void;
  /** Run the typed values; the caller reports the outcome. */
  run: () => void;
  revealCell: (index: number) => void;
}

export class ExperimentsPanel extends Widget {
  constructor(
    private readonly model: ExperimentsModel,
    private readonly actions: IExperimentsActions,
    private readonly trans: TranslationBundle
  ) {
    super();
    this.id = EXPERIMENTS_ID;
    this.addClass('nb2pipe-panel');
    this.addClass('nb2pipe-experiments');
    this.node.append(this.header, this.params, this.progress, this.body);
    this.runButton.addEventListener('click', () => this.actions.run());
    this.resetButton.addEventListener('click', () => model.resetEdits());
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

  private render(): void {
    const { model, trans } = this;
    const data = model.data;
    this.node.dataset.count = String(data?.experiments.length ?? -1);
    const refresh = h('button', {
      className: 'nb2pipe-refresh jp-Button jp-mod-minimal',
      text: trans.__('Refresh'),
      title: trans.__('Read the experiments again (dvc exp show)')
    });
    refresh.disabled = model.path === null || model.loading;
    refresh.addEventListener('click', () => void model.refresh());
    this.header.replaceChildren(
      h(
        'div',
        { className: 'nb2pipe-row nb2pipe-spread' },
        h('h2', { className: 'nb2pipe-title', text: trans.__('Experiments') }),
        refresh
      ),
      h('div', {
        className: 'nb2pipe-path',
        text: model.path ?? trans.__('Open a notebook to see its experiments'),
        title: model.path ?? ''
      })
    );
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
      const plot = this.plot();
      if (plot) {
        parts.push(plot);
      }
      if (data.provenance.length > 0) {
        parts.push(this.provenance(data.provenance));
      }
    }
    this.body.replaceChildren(...parts);
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

  private plot(): HTMLElement | null {
    const { model, trans } = this;
    const data = model.data!;
    const param = model.plotParam;
    const metric = model.plotMetric;
    if (param === null || metric === null || data.experiments.length < 2) {
      return null;
    }
    const layout = layoutPlot(data.experiments, param, metric);
    if (layout.points.length < 2) {
      return null;
    }
    const select = (options: string[], chosen: string, onPick: (v: string) => void) => {
      const s = h('select', { className: 'nb2pipe-exp-axis' });
      for (const o of options) {
        const option = h('option', { text: o });
        option.value = o;
        option.selected = o === chosen;
        s.append(option);
      }
      s.addEventListener('change', () => onPick(s.value));
      return s;
    };
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'nb2pipe-exp-plot');
    svg.setAttribute('viewBox', `0 0 ${PLOT_WIDTH} ${PLOT_HEIGHT}`);
    svg.setAttribute('width', String(PLOT_WIDTH));
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', trans.__('%1 against %2', metric, param));
    const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
      const node = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) {
        node.setAttribute(k, String(v));
      }
      if (text !== undefined) {
        node.textContent = text;
      }
      svg.appendChild(node);
      return node;
    };
    const { left, right, top, bottom } = layout;
    el('path', { class: 'nb2pipe-exp-frame', d: `M${left},${top} V${bottom} H${right}` });
    for (const t of layout.xTicks) {
      el(
        'text',
        { class: 'nb2pipe-exp-tick', x: t.at, y: bottom + 14, 'text-anchor': 'middle' },
        tickLabel(t.value)
      );
    }
    for (const t of layout.yTicks) {
      el(
        'text',
        { class: 'nb2pipe-exp-tick', x: left - 4, y: t.at + 3, 'text-anchor': 'end' },
        tickLabel(t.value)
      );
    }
    const best = model.best;
    for (const p of layout.points) {
      const dot = el('circle', {
        class: p.rev === best ? 'nb2pipe-exp-point nb2pipe-best' : 'nb2pipe-exp-point',
        cx: p.x,
        cy: p.y,
        r: p.rev === best ? 4.5 : 3.5
      });
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${p.name}: ${param}=${p.px}, ${metric}=${p.py}`;
      dot.appendChild(title);
    }
    return h(
      'div',
      { className: 'nb2pipe-exp-plot-box' },
      h(
        'div',
        { className: 'nb2pipe-row' },
        select(data.metric_columns, metric, v => model.setPlot(null, v)),
        h('span', { className: 'nb2pipe-heading', text: trans.__('against') }),
        select(data.param_columns, param, v => model.setPlot(v, null))
      ),
      svg
    );
  }

  private provenance(sources: IMetricSource[]): HTMLElement {
    const trans = this.trans;
    const list = h('div', { className: 'nb2pipe-exp-provenance' });
    for (const source of sources) {
      const details = h('details', { className: 'nb2pipe-exp-source' });
      details.dataset.metrics = source.metrics;
      // Open rows stay open when the view renders again (a refresh, a run's progress).
      details.open = this.openSources.has(source.metrics);
      details.addEventListener('toggle', () => {
        if (details.open) {
          this.openSources.add(source.metrics);
        } else {
          this.openSources.delete(source.metrics);
        }
      });
      details.append(
        h('summary', {
          text: trans.__('%1 ← stage %2', source.metrics.split('/').pop() ?? '', source.stage),
          title: source.metrics
        })
      );
      const cells = h('div', {}, h('span', { text: trans.__('cells:') + ' ' }));
      source.cells.forEach((cell, i) => {
        const link = h('button', {
          className: 'nb2pipe-cell-link jp-Button jp-mod-minimal',
          text: cellRanges([cell]),
          title: trans.__('Show this cell')
        });
        link.addEventListener('click', () => this.actions.revealCell(cell));
        cells.append(link);
        if (i < source.cells.length - 1) {
          cells.append(document.createTextNode(' '));
        }
      });
      details.append(
        h('div', { text: trans.__('stages: %1', source.stages.join(' → ')) }),
        cells,
        h('div', {
          text: trans.__(
            'parameters: %1',
            source.params
              .map(p => `${p.name}=${shownValue(p.value)}${p.recorded ? '' : '?'}`)
              .join(', ') || '–'
          ),
          title: trans.__('the values dvc.lock recorded; ? = not run with these yet')
        })
      );
      const data = h('ul', { className: 'nb2pipe-exp-data' });
      for (const file of source.data) {
        data.append(
          h(
            'li',
            { title: file.md5 ?? trans.__('not run yet') },
            h('span', { className: 'nb2pipe-var', text: file.path }),
            h('code', { text: file.md5 ? file.md5.slice(0, 8) : '–' })
          )
        );
      }
      if (source.data.length > 0) {
        details.append(h('div', { text: trans.__('data:') }), data);
      }
      list.append(details);
    }
    return h(
      'div',
      {},
      h('div', {
        className: 'nb2pipe-heading',
        text: trans.__('Where the workspace’s metrics come from')
      }),
      list
    );
  }

  private paramsKey = '';
  private readonly openSources = new Set<string>();
  private readonly inputs = new Map<string, [HTMLInputElement, HTMLElement]>();
  private readonly header = h('div', { className: 'nb2pipe-header' });
  private readonly params = h('div', { className: 'nb2pipe-exp-form' });
  private readonly progress = h('ol', { className: 'nb2pipe-exp-progress' });
  private readonly body = h('div', { className: 'nb2pipe-body' });
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
