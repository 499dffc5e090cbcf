import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Signal } from '@lumino/signaling';

import { ApiError, IAnalyzeRequest, INb2PipeApi } from '../src/api';
import { failureSentence, INotebookSource, PipelineModel } from '../src/model';
import type {
  IAnalysis,
  IExportOptions,
  IExportResult,
  IPipelineStatus,
  IRunStatus
} from '../src/types';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function analysis(stages: string[], notebook = 'nb.ipynb'): IAnalysis {
  return {
    notebook,
    ok: true,
    params: [],
    diagnostics: [],
    edges: [],
    stages: stages.map((name, i) => ({
      name,
      cells: [i],
      cell_ids: [`c${i}`],
      needs: [],
      hands_on: [],
      params: [],
      file_inputs: [],
      outs: [],
      metrics: [],
      upstream: []
    }))
  };
}

class FakeSource implements INotebookSource {
  constructor(
    public path: string,
    public content: { cells: { source: string; tags: string[] }[] }
  ) {}
  changed = new Signal<this, void>(this);
  toJSON(): unknown {
    return JSON.parse(JSON.stringify(this.content));
  }
  edit(source: string): void {
    this.content.cells.push({ source, tags: [] });
    this.changed.emit();
  }
  /** Cell `cK` is the K-th cell, as in the notebooks tests/nbbuild.py makes. */
  indexOfCell(id: string): number {
    const k = Number(id.slice(1));
    return id.startsWith('c') && k < this.content.cells.length ? k : -1;
  }
}

/** Answers each request when the test says so, in any order. */
class FakeApi implements INb2PipeApi {
  requests: IAnalyzeRequest[] = [];
  pending: { resolve: (a: IAnalysis) => void; reject: (e: unknown) => void }[] = [];
  exports: [string, IExportOptions][] = [];
  exportAnswer: () => Promise<IExportResult> = () => Promise.reject(new Error('unset'));
  startAnswer: () => Promise<string> = () => Promise.resolve('run-1');
  statuses: IRunStatus[] = [];
  polled: string[] = [];
  disk: IPipelineStatus = { notebook: '', dvc_yaml: null, stages: [], message: null };
  statusAsked: string[] = [];

  async pipelineStatus(path: string): Promise<IPipelineStatus> {
    this.statusAsked.push(path);
    return { ...this.disk, notebook: path };
  }

  analyze(request: IAnalyzeRequest): Promise<IAnalysis> {
    this.requests.push(request);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  exportPipeline(path: string, options: IExportOptions): Promise<IExportResult> {
    this.exports.push([path, options]);
    return this.exportAnswer();
  }
  startRun(): Promise<string> {
    return this.startAnswer();
  }
  async runStatus(runId: string): Promise<IRunStatus> {
    this.polled.push(runId);
    return this.statuses.length > 1 ? this.statuses.shift()! : this.statuses[0];
  }
  cancelled: string[] = [];
  cancelAnswer: () => Promise<IRunStatus> = () => Promise.resolve(this.statuses[0]);
  cancelRun(runId: string): Promise<IRunStatus> {
    this.cancelled.push(runId);
    return this.cancelAnswer();
  }
}

function setup() {
  const api = new FakeApi();
  const model = new PipelineModel(api, { debounceMs: 20, pollMs: 5 });
  const source = new FakeSource('dir/nb.ipynb', { cells: [{ source: 'x = 1', tags: [] }] });
  let renders = 0;
  model.changed.connect(() => renders++);
  return { api, model, source, renders: () => renders };
}

describe('live analysis', () => {
  it('sends the live notebook once per burst of edits, after the quiet time', async () => {
    const { api, model, source } = setup();
    model.setActive(true);
    model.setSource(source);
    assert.equal(api.requests.length, 1, 'a new notebook is analysed at once');
    api.pending[0].resolve(analysis(['main']));
    await sleep(0);
    source.edit('y = x');
    source.edit('z = y');
    source.edit('w = z');
    assert.equal(api.requests.length, 1, 'nothing sent while the user types');
    await sleep(60);
    assert.equal(api.requests.length, 2);
    const sent = api.requests[1];
    assert.equal(sent.path, 'dir/nb.ipynb');
    assert.deepEqual(
      (sent.notebook as any).cells.map((c: any) => c.source),
      ['x = 1', 'y = x', 'z = y', 'w = z']
    );
  });

  it('counts each analysis shown, so a view can tell a fresh one', async () => {
    const { api, model, source } = setup();
    model.setActive(true);
    model.setSource(source);
    assert.equal(model.generation, 0);
    api.pending[0].resolve(analysis(['a']));
    await sleep(0);
    assert.equal(model.generation, 1);
    assert.deepEqual(
      model.analysis!.stages.map(s => s.name),
      ['a']
    );
  });

  it('drops an answer that arrives after the answer to a later request', async () => {
    const { api, model, source } = setup();
    model.setActive(true);
    model.setSource(source);
    source.edit('y = 2');
    await sleep(60);
    assert.equal(api.requests.length, 2);
    api.pending[1].resolve(analysis(['new']));
    await sleep(0);
    api.pending[0].resolve(analysis(['old']));
    await sleep(0);
    assert.deepEqual(
      model.analysis!.stages.map(s => s.name),
      ['new']
    );
    assert.equal(model.generation, 1);
  });

  it('does not send the same content twice (running a cell changes only outputs)', async () => {
    const { api, model, source } = setup();
    model.setActive(true);
    model.setSource(source);
    api.pending[0].resolve(analysis(['a']));
    source.changed.emit();
    await sleep(60);
    assert.equal(api.requests.length, 1);
  });

  it('asks nothing while the panel is hidden and catches up when it is shown', async () => {
    const { api, model, source } = setup();
    model.setSource(source);
    source.edit('y = 1');
    await sleep(60);
    assert.equal(api.requests.length, 0);
    model.setActive(true);
    assert.equal(api.requests.length, 1);
    assert.equal((api.requests[0].notebook as any).cells.length, 2);
  });

  it('ignores a late answer about the notebook the user left', async () => {
    const { api, model, source } = setup();
    model.setActive(true);
    model.setSource(source);
    const other = new FakeSource('other.ipynb', { cells: [] });
    model.setSource(other);
    api.pending[0].resolve(analysis(['from-first']));
    await sleep(0);
    assert.equal(model.analysis, null);
    api.pending[1].resolve(analysis(['from-other'], 'other.ipynb'));
    await sleep(0);
    assert.deepEqual(
      model.analysis!.stages.map(s => s.name),
      ['from-other']
    );
  });

  it('shows why the server could not analyse, and tries again on the next edit', async () => {
    const { api, model, source } = setup();
    model.setActive(true);
    model.setSource(source);
    api.pending[0].reject(new ApiError(422, { message: "'dir/nb.ipynb' is not valid JSON" }));
    await sleep(0);
    assert.equal(model.error, "'dir/nb.ipynb' is not valid JSON");
    source.changed.emit();
    await sleep(60);
    assert.equal(api.requests.length, 2, 'the same content is sent again after a failure');
    api.pending[1].resolve(analysis(['a']));
    await sleep(0);
    assert.equal(model.error, null);
  });
});

describe('export', () => {
  const result = (a: IAnalysis): IExportResult => ({
    written: ['dir/dvc.yaml'],
    unchanged: [],
    removed: [],
    out_dir: 'dir',
    dvc_yaml: 'dir/dvc.yaml',
    analysis: a
  });

  it('keeps the diagnostics that stopped an export for the panel, and rethrows', async () => {
    const { api, model, source } = setup();
    model.setSource(source);
    const diagnostics = [
      {
        code: 'stage-split',
        severity: 'error',
        message: "stage 'a' starts again",
        cell: 3,
        number: 4,
        line: null,
        column: null
      }
    ];
    api.exportAnswer = () =>
      Promise.reject(new ApiError(422, { message: 'not exported', diagnostics }));
    await assert.rejects(model.exportPipeline(), (e: ApiError) => e.status === 422);
    assert.deepEqual(model.blocking, diagnostics);
    assert.deepEqual(api.exports, [['dir/nb.ipynb', { force: false, by_headings: null }]]);
    model.setActive(true);
    api.pending[0].resolve({ ...analysis(['a']), ok: false, diagnostics });
    await sleep(0);
    assert.deepEqual(model.blocking, diagnostics, 'still there while the notebook has the problem');
    source.edit('# fixed');
    await sleep(60);
    api.pending[1].resolve(analysis(['a']));
    await sleep(0);
    assert.equal(model.blocking, null, 'gone once the live analysis is clean');

    api.exportAnswer = () => Promise.resolve(result(analysis(['a', 'b'])));
    const done = await model.exportPipeline(true);
    assert.equal(done.dvc_yaml, 'dir/dvc.yaml');
    assert.equal(model.blocking, null);
    assert.deepEqual(
      model.analysis!.stages.map(s => s.name),
      ['a', 'b']
    );
    assert.equal(api.exports[1][1].force, true);
  });

  it('needs a notebook to export', async () => {
    const { model } = setup();
    await assert.rejects(model.exportPipeline(), /open a notebook first/);
  });
});

describe('run', () => {
  const status = (
    state: IRunStatus['state'],
    stages: [string, string][],
    failure: IRunStatus['failure'] = null
  ): IRunStatus => ({
    run_id: 'run-1',
    state,
    message: failure?.message ?? null,
    failure,
    stages: stages.map(([name, s]) => ({
      name,
      state: s as any,
      seconds: 0.1,
      cell: null,
      output: null,
      detail: null
    }))
  });

  it('follows the run until it ends, with each stage state on the way', async () => {
    const { api, model, source } = setup();
    model.setSource(source);
    assert.equal(model.stageState('a'), 'idle');
    api.statuses = [
      status('running', [
        ['a', 'running'],
        ['b', 'waiting']
      ]),
      status('running', [
        ['a', 'done'],
        ['b', 'running']
      ]),
      status('done', [
        ['a', 'done'],
        ['b', 'done']
      ])
    ];
    const seen: string[] = [];
    model.changed.connect(() => seen.push(`${model.stageState('a')}/${model.stageState('b')}`));
    const final = await model.runPipeline();
    assert.equal(final.state, 'done');
    // The last change is the states on disk, read again once the run ended.
    assert.deepEqual(seen, ['running/waiting', 'done/running', 'done/done', 'done/done']);
    assert.equal(model.running, false);
    assert.deepEqual(api.polled, ['run-1', 'run-1', 'run-1']);
    assert.deepEqual(api.statusAsked, ['dir/nb.ipynb']);
  });

  it('follows the run already going instead of failing (409)', async () => {
    const { api, model, source } = setup();
    model.setSource(source);
    api.startAnswer = () =>
      Promise.reject(new ApiError(409, { message: 'already running', run_id: 'run-7' }));
    api.statuses = [
      status('failed', [['a', 'failed']], {
        stage: 'a',
        message: 'ZeroDivisionError: division by zero',
        executed_notebook: 'dir/x.ipynb',
        cell_index: 4
      })
    ];
    const final = await model.runPipeline();
    assert.deepEqual(api.polled, ['run-7']);
    assert.equal(final.failure!.cell_index, 4);
    assert.equal(model.stageState('a'), 'failed');
  });

  it('cancels the run it follows once, and shows the stage cancelled when it ends', async () => {
    const { api, model, source } = setup();
    model.setSource(source);
    const going = status('running', [
      ['a', 'done'],
      ['b', 'running']
    ]);
    api.statuses = [going];
    const final = model.runPipeline();
    while (!model.running) {
      await sleep(1);
    }
    assert.equal(model.cancelling, false);
    const asked = model.cancelRun();
    assert.equal(model.cancelling, true, 'the panel says so at once');
    void model.cancelRun(); // a second click asks nothing more
    await asked;
    assert.deepEqual(api.cancelled, ['run-1']);
    api.statuses = [
      status('cancelled', [
        ['a', 'done'],
        ['b', 'cancelled']
      ])
    ];
    assert.equal((await final).state, 'cancelled');
    assert.equal(model.stageState('b'), 'cancelled');
    assert.equal(model.cancelling, false);
    assert.equal(model.error, null);
  });

  it('a cancel refused because the run just ended (409) is no error', async () => {
    const { api, model, source } = setup();
    model.setSource(source);
    api.statuses = [status('running', [['a', 'running']])];
    const final = model.runPipeline();
    while (!model.running) {
      await sleep(1);
    }
    api.cancelAnswer = () =>
      Promise.reject(new ApiError(409, { message: 'the run has ended already (done)' }));
    await model.cancelRun();
    assert.equal(model.error, null);
    api.statuses = [status('done', [['a', 'done']])];
    assert.equal((await final).state, 'done');
  });

  it('passes on a refusal to start, such as a pipeline not exported yet', async () => {
    const { api, model, source } = setup();
    model.setSource(source);
    api.startAnswer = () =>
      Promise.reject(new ApiError(422, { message: "no 'dir/dvc.yaml': export first" }));
    await assert.rejects(model.runPipeline(), /export first/);
    assert.equal(model.run, null);
  });
});

describe('failureSentence', () => {
  const failure = (message: string) => ({
    stage: 'model',
    message,
    executed_notebook: null,
    cell_index: null
  });

  it("says the runner's message as it is when it names the stage", () => {
    const said = "stage 'model' of 'x.ipynb' failed: cell 'fit' raised ValueError: boom";
    assert.equal(failureSentence(failure(said)), said);
  });

  it('names the stage when the message does not', () => {
    assert.equal(
      failureSentence(failure('killed by SIGKILL')),
      'Stage model failed: killed by SIGKILL'
    );
  });
});

describe('states on disk', () => {
  const disk: IPipelineStatus = {
    notebook: 'dir/nb.ipynb',
    dvc_yaml: 'dir/dvc.yaml',
    message: null,
    stages: [
      {
        name: 'a',
        state: 'up to date',
        reason: 'up to date',
        executed_notebook: 'dir/pipelines/nb/executed/a.ipynb',
        metrics: ['dir/metrics/a.json'],
        plots: [],
        error: null
      },
      {
        name: 'b',
        state: 'failed',
        reason: "output 'x' changed",
        executed_notebook: 'dir/pipelines/nb/executed/b.ipynb',
        metrics: [],
        plots: [],
        error: { cell_id: 'c2', ename: 'KeyError', evalue: "'col'" }
      }
    ]
  };

  it('are read when a notebook is followed, so a reload shows them', async () => {
    const { api, model } = setup();
    api.disk = disk;
    const source = new FakeSource('dir/nb.ipynb', {
      cells: [0, 1, 2].map(i => ({ source: `x${i} = 1`, tags: [] }))
    });
    model.setActive(true);
    model.setSource(source);
    await sleep(0);
    assert.deepEqual(api.statusAsked, ['dir/nb.ipynb']);
    assert.equal(model.stageStatus('a')?.state, 'up to date');
    assert.deepEqual(model.stageStatus('a')?.metrics, ['dir/metrics/a.json']);
    assert.equal(model.stageFailure('a'), null);
    // The failing cell is found in the user's notebook by its id, not the executed one's index.
    assert.deepEqual(model.stageFailure('b'), {
      stage: 'b',
      message: "KeyError: 'col'",
      cell: 2,
      executed_notebook: 'dir/pipelines/nb/executed/b.ipynb'
    });
  });

  it('are read again after an export', async () => {
    const { api, model, source } = setup();
    model.setSource(source);
    api.exportAnswer = async () => ({
      written: [],
      unchanged: [],
      removed: [],
      out_dir: 'dir',
      dvc_yaml: 'dir/dvc.yaml',
      analysis: analysis(['a'])
    });
    await model.exportPipeline();
    await sleep(0);
    assert.deepEqual(api.statusAsked, ['dir/nb.ipynb']);
  });
});

describe('dispose', () => {
  it('stops polling a run', async () => {
    const { api, model, source } = setup();
    model.setSource(source);
    api.statuses = [
      {
        run_id: 'run-1',
        state: 'running',
        message: null,
        failure: null,
        stages: []
      }
    ];
    void model.runPipeline();
    for (let waited = 0; api.polled.length < 2 && waited < 5000; waited += 10) {
      await sleep(10);
    }
    model.dispose();
    const polls = api.polled.length;
    assert.ok(polls >= 2, 'the run is polled while it goes');
    await sleep(30);
    assert.equal(api.polled.length, polls, 'no poll after dispose');
    assert.equal(model.isDisposed, true);
  });
});

describe('settings', () => {
  it("apply the user's debounce to the next edit", async () => {
    const { api, model, source } = setup();
    model.setActive(true);
    model.setSource(source);
    api.pending[0].resolve(analysis(['main']));
    model.configure({ debounceMs: 200 });
    source.edit('y = 1');
    await sleep(80);
    assert.equal(api.requests.length, 1, 'still quiet: the new delay is longer');
    await sleep(200);
    assert.equal(api.requests.length, 2);
  });
});
