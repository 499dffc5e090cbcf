/**
 * DOM for the panel's lists: one `.nb2pipe-stage` per stage (its cells, what it needs and hands
 * on, its run state and error) and the diagnostics. Plain functions of the data they show; the
 * clicks go to callbacks so this file knows no notebook and no command.
 */

import type { TranslationBundle } from '@jupyterlab/translation';

import { colourVariable } from '../colours';
import { IStageMark, markText } from '../marks';
import type { IStageFailure } from '../model';
import type { IDiagnostic, IStage, IStageStatus } from '../types';
import { markIcon } from './mark';

export interface IStageActions {
  revealCell: (index: number) => void;
  rename: (stage: string) => void;
  /** Open a file of the pipeline (an executed notebook, metrics, plots) in JupyterLab. */
  openFile: (path: string) => void;
}

/** What the list shows of a stage besides its analysis: its state and its reports. */
export interface IStageView {
  mark: IStageMark;
  seconds: number | null;
  disk: IStageStatus | undefined;
  failure: IStageFailure | null;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; title?: string } = {},
  ...children: (Node | null)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) {
    node.className = props.className;
  }
  if (props.text !== undefined) {
    node.textContent = props.text;
  }
  if (props.title) {
    node.title = props.title;
  }
  for (const child of children) {
    if (child) {
      node.appendChild(child);
    }
  }
  return node;
}

interface IVar {
  name: string;
  kind: 'var' | 'param' | 'file';
  note: string;
}

function varList(className: string, heading: string, vars: IVar[]): HTMLElement | null {
  if (vars.length === 0) {
    return null;
  }
  const list = h('ul', { className: 'nb2pipe-var-list' });
  for (const v of vars) {
    const item = h(
      'li',
      { className: `nb2pipe-var-item nb2pipe-kind-${v.kind}`, title: v.note },
      h('span', { className: 'nb2pipe-var', text: v.name })
    );
    item.dataset.kind = v.kind;
    list.appendChild(item);
  }
  return h('div', { className }, h('div', { className: 'nb2pipe-heading', text: heading }), list);
}

function needsOf(stage: IStage, trans: TranslationBundle): IVar[] {
  return [
    ...stage.needs.map(n => ({
      name: n.name,
      kind: 'var' as const,
      note: n.from ? trans.__('variable made by stage %1', n.from) : trans.__('variable')
    })),
    ...stage.params.map(p => ({ name: p, kind: 'param' as const, note: trans.__('parameter') })),
    ...stage.file_inputs.map(f => ({
      name: f.path,
      kind: 'file' as const,
      note: f.from ? trans.__('file written by stage %1', f.from) : trans.__('data file')
    }))
  ];
}

function handsOnOf(stage: IStage, trans: TranslationBundle): IVar[] {
  return [
    ...stage.hands_on.map(n => ({ name: n, kind: 'var' as const, note: trans.__('variable') })),
    ...stage.outs.map(p => ({ name: p, kind: 'file' as const, note: trans.__('file it writes') }))
  ];
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function renderStage(
  stage: IStage,
  colour: number,
  view: IStageView,
  actions: IStageActions,
  trans: TranslationBundle
): HTMLElement {
  const { mark, detail } = view.mark;
  const item = h('li', { className: 'nb2pipe-stage' });
  item.dataset.stage = stage.name;
  item.dataset.state = mark;
  item.style.setProperty('--nb2pipe-stage-colour', colourVariable(colour));

  const rename = h('button', {
    className: 'nb2pipe-rename jp-Button jp-mod-minimal',
    text: trans.__('Rename'),
    title: trans.__('Rename stage %1 (rewrites its tags on every cell)', stage.name)
  });
  rename.dataset.stage = stage.name;
  rename.addEventListener('click', () => actions.rename(stage.name));
  const timed = ['done', 'failed', 'cancelled'].includes(mark) && view.seconds !== null;
  const words = markText(mark, trans) + (timed ? ` ${view.seconds!.toFixed(1)} s` : '');
  const status = h('span', { className: 'nb2pipe-state', title: detail });
  status.dataset.mark = mark;
  if (mark !== 'none') {
    status.append(markIcon(mark), h('span', { className: 'nb2pipe-state-text', text: words }));
  }
  item.appendChild(
    h(
      'div',
      { className: 'nb2pipe-stage-header' },
      h('span', { className: 'nb2pipe-swatch' }),
      h('span', { className: 'nb2pipe-stage-title', text: stage.name, title: stage.name }),
      status,
      rename
    )
  );
  // Why it would run again: the plan's own words ("parameter 'n' changed"); where a running
  // stage is: "cell 2/4 · the last line it printed".
  if ((mark === 'changed' || mark === 'running') && detail) {
    const line = h('div', {
      className: mark === 'running' ? 'nb2pipe-running-detail' : 'nb2pipe-reason',
      text: detail,
      title: detail
    });
    item.appendChild(line);
  }

  const cells = h('div', { className: 'nb2pipe-cells' });
  cells.appendChild(h('span', { className: 'nb2pipe-heading', text: trans.__('cells') }));
  // Cells by the number JupyterLab shows (1-based); the chip keeps the index it reveals.
  for (const index of stage.cells) {
    const chip = h('button', {
      className: 'nb2pipe-cell',
      text: String(index + 1),
      title: trans.__('Go to cell %1', index + 1)
    });
    chip.dataset.cellIndex = String(index);
    chip.addEventListener('click', () => actions.revealCell(index));
    cells.appendChild(chip);
  }
  item.appendChild(cells);
  const needs = varList('nb2pipe-needs', trans.__('needs'), needsOf(stage, trans));
  const handsOn = varList('nb2pipe-hands-on', trans.__('hands on'), handsOnOf(stage, trans));
  for (const part of [needs, handsOn, renderReports(view.disk, actions, trans)]) {
    if (part) {
      item.appendChild(part);
    }
  }
  if (view.failure) {
    item.appendChild(renderFailure(view.failure, actions, trans));
  }
  return item;
}

/** Links to what a stage left: its executed notebook, its metrics and plots files. */
function renderReports(
  disk: IStageStatus | undefined,
  actions: IStageActions,
  trans: TranslationBundle
): HTMLElement | null {
  if (!disk) {
    return null;
  }
  const links: HTMLElement[] = [];
  const link = (kind: string, text: string, path: string) => {
    const button = h('button', {
      className: `nb2pipe-report nb2pipe-report-${kind} jp-Button jp-mod-minimal`,
      text,
      title: path
    });
    button.dataset.path = path;
    button.addEventListener('click', () => actions.openFile(path));
    links.push(button);
  };
  if (disk.executed_notebook) {
    link('executed', trans.__('executed notebook'), disk.executed_notebook);
  }
  for (const path of disk.metrics) {
    link('metrics', trans.__('metrics: %1', basename(path)), path);
  }
  for (const path of disk.plots) {
    link('plots', trans.__('plot: %1', basename(path)), path);
  }
  if (links.length === 0) {
    return null;
  }
  return h(
    'div',
    { className: 'nb2pipe-reports' },
    h('span', { className: 'nb2pipe-heading', text: trans.__('reports') }),
    ...links
  );
}

function renderFailure(
  failure: IStageFailure,
  actions: IStageActions,
  trans: TranslationBundle
): HTMLElement {
  const box = h('div', { className: 'nb2pipe-error' }, h('pre', { text: failure.message }));
  if (failure.cell !== null) {
    const go = h('button', {
      className: 'nb2pipe-go-to-failure jp-Button jp-mod-styled jp-mod-warn',
      text: trans.__('Go to the failing cell (%1)', failure.cell),
      title: trans.__('Select the cell of your notebook that raised the error')
    });
    const cell = failure.cell;
    go.addEventListener('click', () => actions.revealCell(cell));
    box.appendChild(go);
  }
  if (failure.executed_notebook) {
    const path = failure.executed_notebook;
    const open = h('button', {
      className: 'nb2pipe-open-failure jp-Button jp-mod-minimal',
      text: trans.__('Open the executed notebook'),
      title: trans.__('%1 (generated: edit your own notebook, not this one)', path)
    });
    open.addEventListener('click', () => actions.openFile(path));
    box.appendChild(open);
  }
  return box;
}

export function renderDiagnostics(
  diagnostics: readonly IDiagnostic[],
  revealCell: (index: number) => void,
  heading: string,
  trans: TranslationBundle
): HTMLElement | null {
  if (diagnostics.length === 0) {
    return null;
  }
  const list = h('ul', { className: 'nb2pipe-diagnostic-list' });
  for (const d of diagnostics) {
    const number = d.number ?? (d.cell === null ? null : d.cell + 1);
    const where =
      number === null
        ? ''
        : d.line
          ? trans.__('cell %1, line %2: ', number, d.line)
          : trans.__('cell %1: ', number);
    const item = h('li', {
      className: `nb2pipe-diagnostic nb2pipe-severity-${d.severity}`,
      text: where + d.message,
      title: d.code
    });
    if (d.cell !== null) {
      item.dataset.cellIndex = String(d.cell);
      item.tabIndex = 0;
      item.addEventListener('click', () => revealCell(d.cell!));
      item.addEventListener('keydown', event => {
        if (event.key === 'Enter') {
          revealCell(d.cell!);
        }
      });
    }
    list.appendChild(item);
  }
  return h(
    'div',
    { className: 'nb2pipe-diagnostics' },
    h('div', { className: 'nb2pipe-heading', text: heading }),
    list
  );
}
