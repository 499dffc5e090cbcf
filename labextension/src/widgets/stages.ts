/**
 * DOM for the panel's lists: one `.nb2pipe-stage` per stage (its cells, what it needs and hands
 * on, its run state and error) and the diagnostics. Plain functions of the data they show; the
 * clicks go to callbacks so this file knows no notebook and no command.
 */

import { colourVariable } from '../colours';
import type { IDiagnostic, IRunFailure, IStage, IStageRun, StageRunState } from '../types';

export interface IStageActions {
  revealCell: (index: number) => void;
  rename: (stage: string) => void;
  openFailure: (failure: IRunFailure) => void;
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

function needsOf(stage: IStage): IVar[] {
  return [
    ...stage.needs.map(n => ({
      name: n.name,
      kind: 'var' as const,
      note: n.from ? `variable made by stage ${n.from}` : 'variable'
    })),
    ...stage.params.map(p => ({ name: p, kind: 'param' as const, note: 'parameter' })),
    ...stage.file_inputs.map(f => ({
      name: f.path,
      kind: 'file' as const,
      note: f.from ? `file written by stage ${f.from}` : 'data file'
    }))
  ];
}

function handsOnOf(stage: IStage): IVar[] {
  return [
    ...stage.hands_on.map(n => ({ name: n, kind: 'var' as const, note: 'variable' })),
    ...stage.outs.map(p => ({ name: p, kind: 'file' as const, note: 'file it writes' }))
  ];
}

const STATE_TEXT: Record<StageRunState, string> = {
  idle: '',
  waiting: 'waiting',
  skipped: 'up to date',
  running: 'running…',
  done: 'done',
  failed: 'failed',
  'not started': 'not started'
};

export function renderStage(
  stage: IStage,
  colour: number,
  run: IStageRun | undefined,
  failure: IRunFailure | null,
  actions: IStageActions
): HTMLElement {
  const state: StageRunState = run?.state ?? 'idle';
  const item = h('li', { className: 'nb2pipe-stage' });
  item.dataset.stage = stage.name;
  item.dataset.state = state;
  item.style.setProperty('--nb2pipe-stage-colour', colourVariable(colour));

  const rename = h('button', {
    className: 'nb2pipe-rename jp-Button jp-mod-minimal',
    text: 'Rename',
    title: `Rename stage ${stage.name} (rewrites its tags on every cell)`
  });
  rename.dataset.stage = stage.name;
  rename.addEventListener('click', () => actions.rename(stage.name));
  const seconds = run?.seconds != null ? ` ${run.seconds.toFixed(1)} s` : '';
  const status = h('span', {
    className: 'nb2pipe-state',
    text: STATE_TEXT[state] + (state === 'done' || state === 'failed' ? seconds : ''),
    title: run?.detail ?? ''
  });
  item.appendChild(
    h(
      'div',
      { className: 'nb2pipe-stage-header' },
      h('span', { className: 'nb2pipe-swatch' }),
      h('span', { className: 'nb2pipe-stage-title', text: stage.name }),
      status,
      rename
    )
  );

  const cells = h('div', { className: 'nb2pipe-cells' });
  cells.appendChild(h('span', { className: 'nb2pipe-heading', text: 'cells' }));
  for (const index of stage.cells) {
    const chip = h('button', {
      className: 'nb2pipe-cell',
      text: String(index),
      title: `Go to cell ${index}`
    });
    chip.dataset.cellIndex = String(index);
    chip.addEventListener('click', () => actions.revealCell(index));
    cells.appendChild(chip);
  }
  item.appendChild(cells);
  const needs = varList('nb2pipe-needs', 'needs', needsOf(stage));
  const handsOn = varList('nb2pipe-hands-on', 'hands on', handsOnOf(stage));
  for (const part of [needs, handsOn]) {
    if (part) {
      item.appendChild(part);
    }
  }
  if (failure && failure.stage === stage.name) {
    item.appendChild(renderFailure(failure, actions));
  }
  return item;
}

function renderFailure(failure: IRunFailure, actions: IStageActions): HTMLElement {
  const box = h('div', { className: 'nb2pipe-error' }, h('pre', { text: failure.message }));
  if (failure.executed_notebook) {
    const open = h('button', {
      className: 'nb2pipe-open-failure jp-Button jp-mod-minimal',
      text: 'Open the executed notebook at the failing cell',
      title: failure.executed_notebook
    });
    open.addEventListener('click', () => actions.openFailure(failure));
    box.appendChild(open);
  }
  return box;
}

export function renderDiagnostics(
  diagnostics: readonly IDiagnostic[],
  revealCell: (index: number) => void,
  heading: string
): HTMLElement | null {
  if (diagnostics.length === 0) {
    return null;
  }
  const list = h('ul', { className: 'nb2pipe-diagnostic-list' });
  for (const d of diagnostics) {
    const where = d.cell === null ? '' : `cell ${d.cell}${d.line ? `, line ${d.line}` : ''}: `;
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
