/**
 * The experiments view's state for the notebook the Pipeline model follows: the pipeline's
 * parameters and the values typed for them, its experiments (DVC's, from the server), the
 * table's order and the plot's axes, and the progress of experiments started here. No DOM.
 */

import type { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import type { IExperimentsApi, INb2PipeApi } from '../api';
import { messageOf, PipelineModel } from '../model';
import { followRun } from '../runs';
import type { IExperiment, IExperiments, IPipelineStatus, IRunStatus } from '../types';
import { bestRev, gridSize, parseValues, shownValue, sortedRows } from './values';

/** How many experiments run at once: the server's machine is shared with the notebook. */
const JOBS = 2;

export class ExperimentsModel {
  constructor(
    private readonly pipeline: PipelineModel,
    private readonly api: INb2PipeApi & IExperimentsApi,
    private readonly pollMs = 500
  ) {
    pipeline.changed.connect(this.onPipelineChanged, this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The followed notebook's path, or null. */
  get path(): string | null {
    return this.pipeline.source?.path ?? null;
  }

  /** The server's last answer for this notebook, or null before it. */
  get data(): IExperiments | null {
    return this._data;
  }

  get error(): string | null {
    return this._error;
  }

  get loading(): boolean {
    return this._loading;
  }

  /** The latest experiments run started here for this notebook. */
  get run(): IRunStatus | null {
    return this._run;
  }

  get running(): boolean {
    return this._run?.state === 'running';
  }

  /** What the input of parameter `name` shows: the typed text, else the current value. */
  text(name: string): string {
    const typed = this._edits.get(name);
    if (typed !== undefined) {
      return typed;
    }
    return shownValue(this._data?.params.find(p => p.name === name)?.value);
  }

  setText(name: string, text: string): void {
    this._edits.set(name, text);
    this._changed.emit();
  }

  resetEdits(): void {
    this._edits.clear();
    this._changed.emit();
  }

  /** Why the text typed for `name` cannot be run, or null. */
  problem(name: string): string | null {
    const current = this._data?.params.find(p => p.name === name);
    const typed = this._edits.get(name);
    if (!current || typed === undefined) {
      return null;
    }
    const parsed = parseValues(typed, current.value);
    return 'problem' in parsed ? parsed.problem : null;
  }

  /** The grid of the typed values (names left as they are are not swept), or null if any is wrong. */
  grid(): Record<string, unknown[]> | null {
    const grid: Record<string, unknown[]> = {};
    for (const param of this._data?.params ?? []) {
      const typed = this._edits.get(param.name);
      if (typed === undefined) {
        continue;
      }
      const parsed = parseValues(typed, param.value);
      if ('problem' in parsed) {
        return null;
      }
      const same = parsed.values.length === 1 && parsed.values[0] === param.value;
      if (!same) {
        grid[param.name] = parsed.values;
      }
    }
    return grid;
  }

  /** How many experiments "Run" would start (0 when a value is wrong). */
  get count(): number {
    const grid = this.grid();
    return grid === null ? 0 : gridSize(grid);
  }

  get sortColumn(): string | null {
    return this._sort ?? this._data?.metric_columns[0] ?? null;
  }

  get descending(): boolean {
    return this._descending;
  }

  /** Sort by `column`; a second click on the same column turns the order round. */
  sortBy(column: string): void {
    if (column === this.sortColumn) {
      this._descending = !this._descending;
    } else {
      this._sort = column;
      this._descending = true;
    }
    this._changed.emit();
  }

  /** The experiments in the table's order. */
  get rows(): IExperiment[] {
    return sortedRows(this._data?.experiments ?? [], this.sortColumn, this._descending);
  }

  /**
   * The best experiment: by the metric sorted on (or the first metric), highest first unless
   * the user ordered it lowest first.
   */
  get best(): string | null {
    const data = this._data;
    if (!data) {
      return null;
    }
    const column = this.sortColumn;
    const metric = column !== null && data.metric_columns.includes(column) ? column : null;
    return bestRev(data.experiments, metric ?? data.metric_columns[0] ?? null, !this.descending);
  }

  /** The experiment Apply would write: the one clicked, else the best. */
  get selected(): IExperiment | null {
    const rows = this._data?.experiments ?? [];
    const rev = this._selected ?? this.best;
    return rows.find(r => r.rev === rev) ?? null;
  }

  select(rev: string): void {
    this._selected = rev;
    this._changed.emit();
  }

  get plotParam(): string | null {
    const columns = this._data?.param_columns ?? [];
    return this._plotParam !== null && columns.includes(this._plotParam)
      ? this._plotParam
      : (this.varied()[0] ?? columns[0] ?? null);
  }

  get plotMetric(): string | null {
    const columns = this._data?.metric_columns ?? [];
    const sorted = this.sortColumn;
    if (this._plotMetric !== null && columns.includes(this._plotMetric)) {
      return this._plotMetric;
    }
    return sorted !== null && columns.includes(sorted) ? sorted : (columns[0] ?? null);
  }

  setPlot(param: string | null, metric: string | null): void {
    this._plotParam = param ?? this._plotParam;
    this._plotMetric = metric ?? this._plotMetric;
    this._changed.emit();
  }

  /** Read the pipeline's parameters and experiments again. */
  async refresh(): Promise<void> {
    const path = this.path;
    if (path === null) {
      return;
    }
    this._loading = true;
    this._changed.emit();
    try {
      const data = await this.api.experiments(path);
      if (path === this.path) {
        this._data = data;
        this._error = null;
      }
    } catch (error) {
      if (path === this.path) {
        this._error = messageOf(error);
      }
    } finally {
      this._loading = false;
      this._changed.emit();
    }
  }

  /** Refresh while shown; a hidden view catches up when it is shown again. */
  setActive(active: boolean): void {
    this._active = active;
    if (active && (this._stale || this._data === null)) {
      this._stale = false;
      void this.refresh();
    }
  }

  /**
   * Run the typed values (every combination of the comma lists) as DVC experiments, follow
   * them until they end, then read the table again. The final status is returned.
   */
  async runExperiments(): Promise<IRunStatus> {
    const path = this.path;
    const grid = this.grid();
    if (path === null || grid === null) {
      throw new Error('fix the values marked in red first');
    }
    const runId = await this.api.startExperiments(path, grid, JOBS);
    const followed = followRun(this.api, runId, this.pollMs, status => {
      if (path === this.path) {
        this._run = status;
        this._changed.emit();
      }
    });
    this._polls.add(followed.poll);
    try {
      const final = await followed.final;
      if (path === this.path) {
        this._edits.clear();
        await this.refresh();
      }
      return final;
    } finally {
      this._polls.delete(followed.poll);
    }
  }

  dispose(): void {
    for (const poll of this._polls) {
      poll.dispose();
    }
    this._polls.clear();
    this.pipeline.changed.disconnect(this.onPipelineChanged, this);
    Signal.clearData(this);
  }

  /** Parameters whose values differ between the experiments: the plot's likely x axis. */
  private varied(): string[] {
    const data = this._data;
    if (!data) {
      return [];
    }
    return data.param_columns.filter(
      name => new Set(data.experiments.map(e => JSON.stringify(e.params[name]))).size > 1
    );
  }

  private onPipelineChanged(): void {
    const path = this.path;
    const status = this.pipeline.status;
    const pathChanged = path !== this._path;
    // The Pipeline model reads the stages' states again after an export and after a run: then
    // params.yaml, dvc.lock and the workspace's metrics may have changed too.
    const diskChanged = !pathChanged && status !== this._status && status !== null;
    this._path = path;
    this._status = status;
    if (!pathChanged && !diskChanged) {
      return;
    }
    if (pathChanged) {
      this._data = null;
      this._error = null;
      this._run = null;
      this._selected = null;
      this._edits.clear();
      this._changed.emit();
    }
    if (this._active) {
      void this.refresh();
    } else {
      this._stale = true;
    }
  }

  private _path: string | null = null;
  private _status: IPipelineStatus | null = null;
  private _data: IExperiments | null = null;
  private _error: string | null = null;
  private _loading = false;
  private _active = false;
  private _stale = false;
  private _run: IRunStatus | null = null;
  private _edits = new Map<string, string>();
  private _sort: string | null = null;
  private _descending = true;
  private _selected: string | null = null;
  private _plotParam: string | null = null;
  private _plotMetric: string | null = null;
  private _polls = new Set<Poll>();
  private _changed = new Signal<this, void>(this);
}
