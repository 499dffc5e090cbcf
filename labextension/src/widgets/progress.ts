/**
 * A running pipeline, under the panel's Run button: how many stages have finished, each running
 * stage with its cell ("cell 2/4"), its time and the last line it printed, and Cancel. Hidden
 * when no run is going. The row with Cancel is made once: a button remade between mouse-down and
 * mouse-up (the progress renders several times a second) would lose the click.
 */

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IRunStatus, IStageRun } from '../types';
import { h } from './stages';

const FINISHED = new Set(['done', 'skipped', 'failed', 'cancelled', 'not started']);

export class RunProgress {
  constructor(
    onCancel: () => void,
    private readonly trans: TranslationBundle
  ) {
    this.cancel.textContent = trans.__('Cancel');
    this.cancel.title = trans.__(
      "Stop the run as Ctrl-C stops 'nb2pipe run': the running stages are stopped, the " +
        'stages already done stay recorded in dvc.lock'
    );
    this.cancel.addEventListener('click', onCancel);
    this.node.append(
      h('div', { className: 'nb2pipe-row nb2pipe-spread' }, this.summary, this.cancel)
    );
    this.node.append(this.list);
    this.node.hidden = true;
  }

  readonly node = h('div', { className: 'nb2pipe-progress' });

  update(run: IRunStatus | null, cancelling: boolean): void {
    const trans = this.trans;
    const going = run?.state === 'running';
    this.node.hidden = !going;
    if (!run || !going) {
      this.list.replaceChildren();
      return;
    }
    this.node.dataset.state = cancelling ? 'cancelling' : 'running';
    this.cancel.textContent = cancelling ? trans.__('Cancelling…') : trans.__('Cancel');
    this.cancel.disabled = cancelling;
    const finished = run.stages.filter(s => FINISHED.has(s.state)).length;
    this.summary.textContent = trans.__('%1 of %2 stages finished', finished, run.stages.length);
    this.list.replaceChildren(
      ...run.stages.filter(s => s.state === 'running').map(s => this.row(s))
    );
  }

  private row(stage: IStageRun): HTMLElement {
    const trans = this.trans;
    const row = h(
      'li',
      { className: 'nb2pipe-progress-stage' },
      h('span', { className: 'nb2pipe-progress-name', text: stage.name, title: stage.name }),
      h('span', {
        className: 'nb2pipe-progress-cell',
        text: stage.cell ?? trans.__('starting')
      }),
      h('span', {
        className: 'nb2pipe-seconds',
        text: stage.seconds !== null ? trans.__('%1 s', stage.seconds.toFixed(1)) : ''
      })
    );
    row.dataset.stage = stage.name;
    if (stage.output) {
      row.append(
        h('div', {
          className: 'nb2pipe-progress-output',
          text: stage.output,
          title: trans.__('The last line stage %1 printed', stage.name)
        })
      );
    }
    return row;
  }

  private readonly summary = h('span', { className: 'nb2pipe-progress-summary' });
  private readonly cancel = h('button', {
    className: 'nb2pipe-cancel jp-Button jp-mod-styled jp-mod-warn'
  });
  private readonly list = h('ul', { className: 'nb2pipe-progress-list' });
}
