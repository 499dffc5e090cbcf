import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MARK_PATHS, markText, StageMark, stageMark } from '../src/marks';
import type { IStageRun, IStageStatus } from '../src/types';
import { trans } from './trans';

function run(state: IStageRun['state'], detail: string | null = null): IStageRun {
  return { name: 's', state, seconds: 1, cell: null, output: null, detail };
}

function disk(state: string, reason = ''): IStageStatus {
  return {
    name: 's',
    state,
    reason,
    executed_notebook: null,
    metrics: [],
    plots: [],
    error: null
  };
}

describe('stage marks', () => {
  it('a running stage shows its cell and the last line it printed', () => {
    const running = { ...run('running'), cell: 'cell 2/4', output: 'epoch 3: loss 0.41' };
    assert.equal(stageMark(running, undefined).detail, 'cell 2/4 · epoch 3: loss 0.41');
    assert.equal(stageMark({ ...running, output: null }, undefined).detail, 'cell 2/4');
  });

  it('done, up to date, skipped, running, failed and cancelled each have a shape and a word of their own', () => {
    const marks: StageMark[] = [
      stageMark(run('done'), undefined).mark,
      stageMark(run('skipped', 'up to date'), undefined).mark,
      stageMark(run('skipped', 'frozen'), undefined).mark,
      stageMark(run('running'), undefined).mark,
      stageMark(run('failed'), undefined).mark,
      stageMark(run('cancelled', 'cancelled at cell 2/4'), undefined).mark
    ];
    assert.deepEqual(marks, ['done', 'up-to-date', 'skipped', 'running', 'failed', 'cancelled']);
    const shapes = marks.map(m => MARK_PATHS[m]);
    const words = marks.map(m => markText(m, trans));
    assert.equal(new Set(shapes).size, marks.length, 'no two states share a shape');
    assert.equal(new Set(words).size, marks.length, 'no two states share a word');
    assert.ok(shapes.every(Boolean) && words.every(Boolean));
  });

  it('every mark but none has its own shape', () => {
    const all = Object.keys(MARK_PATHS).filter(m => m !== 'none') as StageMark[];
    assert.equal(new Set(all.map(m => MARK_PATHS[m])).size, all.length);
  });

  it('after a reload the states on disk say up to date, or what changed', () => {
    assert.deepEqual(stageMark(undefined, disk('up to date', 'up to date')), {
      mark: 'up-to-date',
      detail: ''
    });
    assert.deepEqual(stageMark(undefined, disk('changed', "parameter 'n' changed")), {
      mark: 'changed',
      detail: "parameter 'n' changed"
    });
    assert.equal(stageMark(undefined, disk('never run')).mark, 'never-run');
    assert.equal(stageMark(undefined, disk('failed')).mark, 'failed');
    assert.equal(stageMark(undefined, undefined).mark, 'none');
  });

  it('the run of this page wins over the disk: it tells done from up to date', () => {
    assert.equal(stageMark(run('done'), disk('up to date')).mark, 'done');
    assert.equal(stageMark(run('idle'), disk('changed')).mark, 'changed');
  });
});
