import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { failureOf } from '../src/failures';
import type { IRunStatus, IStageStatus } from '../src/types';

const failedOnDisk = (cellId: string): IStageStatus => ({
  name: 'train',
  state: 'failed',
  reason: "output 'x' changed",
  executed_notebook: 'p/executed/train.ipynb',
  metrics: [],
  plots: [],
  error: { cell_id: cellId, ename: 'ValueError', evalue: 'boom' }
});

const ids = (id: string) => ['a', 'b', 'c'].indexOf(id);

describe('failureOf', () => {
  it('points at the cell of the user notebook with the id the stage notebook kept', () => {
    assert.deepEqual(failureOf('train', null, failedOnDisk('c'), ids), {
      stage: 'train',
      message: 'ValueError: boom',
      cell: 2,
      executed_notebook: 'p/executed/train.ipynb'
    });
  });

  it("has no cell when the error is in one of nb2pipe's own cells (loading the handoffs)", () => {
    const failure = failureOf('train', null, failedOnDisk('nb2pipe-load'), ids);
    assert.equal(failure?.cell, null);
    assert.equal(failure?.executed_notebook, 'p/executed/train.ipynb');
  });

  it('is gone once the run of this page ran the stage fine', () => {
    const run: IRunStatus = {
      run_id: 'r',
      state: 'done',
      message: null,
      failure: null,
      stages: [{ name: 'train', state: 'done', seconds: 1, cell: null, output: null, detail: null }]
    };
    assert.equal(failureOf('train', run, failedOnDisk('c'), ids), null);
  });
});
