/**
 * One mark per stage state, the same in the graph and in the stage list: a small icon of its
 * own shape on a neutral badge, and a word, so no state is told by colour alone and none hides
 * on a stage of the same colour. Pure: the view draws `MARK_PATHS` and shows `markText`.
 */

import type { TranslationBundle } from '@jupyterlab/translation';

import type { IStageRun, IStageStatus } from './types';

export type StageMark =
  | 'none'
  | 'waiting'
  | 'running'
  | 'done'
  | 'up-to-date'
  | 'skipped'
  | 'failed'
  | 'cancelled'
  | 'not-started'
  | 'changed'
  | 'never-run';

/** SVG path data of each mark in a 12×12 box (stroked; `running` is filled). */
export const MARK_PATHS: Record<StageMark, string> = {
  none: '',
  waiting: 'M3 6h.01M6 6h.01M9 6h.01',
  running: 'M4 2.5L10 6L4 9.5Z',
  done: 'M2.5 6.5L5 9L9.5 3',
  'up-to-date': 'M2.5 4.5H9.5M2.5 7.5H9.5',
  skipped: 'M2.5 3L5.5 6L2.5 9M6.5 3L9.5 6L6.5 9',
  failed: 'M3 3L9 9M9 3L3 9',
  cancelled: 'M3.5 3.5H8.5V8.5H3.5Z',
  'not-started': 'M2.5 6a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0M3.5 8.5L8.5 3.5',
  changed: 'M6 2L10 6L6 10L2 6Z',
  'never-run': 'M2.5 6a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0'
};

export interface IStageMark {
  mark: StageMark;
  /** What more there is to say: why it would run, the running cell, the skip reason. */
  detail: string;
}

/**
 * The mark of a stage: the run of this page while it is known (it tells done from up to date),
 * else what the files on disk say.
 */
export function stageMark(run: IStageRun | undefined, disk: IStageStatus | undefined): IStageMark {
  if (run && run.state !== 'idle') {
    const detail = run.detail ?? '';
    switch (run.state) {
      case 'skipped':
        return { mark: detail === 'up to date' ? 'up-to-date' : 'skipped', detail };
      case 'not started':
        return { mark: 'not-started', detail };
      default:
        // While it runs: "cell 2/4 · epoch 3: loss 0.41" (the cell, the last line it printed).
        return {
          mark: run.state,
          detail:
            run.state === 'running' ? [run.cell, run.output].filter(Boolean).join(' · ') : detail
        };
    }
  }
  switch (disk?.state) {
    case 'up to date':
      return { mark: 'up-to-date', detail: '' };
    case 'changed':
      return { mark: 'changed', detail: disk.reason };
    case 'never run':
      return { mark: 'never-run', detail: '' };
    case 'failed':
      return { mark: 'failed', detail: disk.error ? `${disk.error.ename}` : '' };
    case 'frozen':
      return { mark: 'skipped', detail: disk.reason };
    default:
      return { mark: 'none', detail: '' };
  }
}

export function markText(mark: StageMark, trans: TranslationBundle): string {
  switch (mark) {
    case 'none':
      return '';
    case 'waiting':
      return trans.__('waiting');
    case 'running':
      return trans.__('running');
    case 'done':
      return trans.__('done');
    case 'up-to-date':
      return trans.__('up to date');
    case 'skipped':
      return trans.__('skipped');
    case 'failed':
      return trans.__('failed');
    case 'cancelled':
      return trans.__('cancelled');
    case 'not-started':
      return trans.__('not started');
    case 'changed':
      return trans.__('changed');
    case 'never-run':
      return trans.__('not run yet');
  }
}
