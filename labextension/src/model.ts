/**
 * The panel's state for the active notebook: its live analysis (live-analysis.ts), the
 * blocking diagnostics of the last export, the runs of this page (runs.ts), each stage's state
 * on disk and the split-at-headings preview. No DOM and no JupyterLab widgets: the notebook
 * comes in as an INotebookSource and the server as an INb2PipeApi, so tests drive it with fakes.
 */

import { ISignal, Signal } from '@lumino/signaling';

import type { INb2PipeApi } from './api';
import { failureOf, IStageFailure } from './failures';
import { LiveAnalysis } from './live-analysis';
import { IFailed, messageOf } from './messages';
import { PipelineRuns } from './runs';
import type {
  IAnalysis,
  IDiagnostic,
  IExportResult,
  IPipelineStatus,
  IRunStatus,
  IStageStatus,
  StageRunState
} from './types';

export { failureSentence, messageOf } from './messages';

/** The live notebook, as the model needs it. */
export interface INotebookSource {
  /** Path from the server root; read at each request, since the file may be renamed. */
  readonly path: string;
  /** The notebook's current nbformat JSON, unsaved edits included. */
  toJSON(): unknown;
  /** Emitted on any edit that could change the analysis (sources, tags, cells added/moved). */
  readonly changed: ISignal<unknown, void>;
  /** The index of the cell with this id now, or -1 (stage notebooks keep the cells' ids). */
  indexOfCell?(id: string): number;
}

/** "Split at headings", before anything is written: the stages the split would make. */
export interface ISplitPreview {
  level: number;
  analysis: IAnalysis;
}

export type { IStageFailure } from './failures';

export interface IModelOptions {
  /** Quiet time after the last edit before the notebook is analysed again. */
  debounceMs?: number;
  /** Interval between two looks at a running pipeline. */
  pollMs?: number;
}

export class PipelineModel {
  constructor(
    private readonly api: INb2PipeApi,
    options: IModelOptions = {}
  ) {
    this.configure(options);
  }

  /** New settings (the user's, from the settings registry) apply to the next request. */
  configure(options: IModelOptions): void {
    this.live.debounceMs = options.debounceMs ?? this.live.debounceMs;
    this.runs.pollMs = options.pollMs ?? this.runs.pollMs;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /** Emitted whenever anything the panel shows has changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get source(): INotebookSource | null {
    return this._source;
  }

  /** The latest analysis of the current notebook, or null before the first answer. */
  get analysis(): IAnalysis | null {
    return this._analysis;
  }

  /** Counts the analysis results received, so a view (and a test) can tell a fresh one. */
  get generation(): number {
    return this._generation;
  }

  /** Why the last request failed (shown in the panel), or null. */
  get error(): string | null {
    return this._error;
  }

  /** Diagnostics that stopped the last export, or null when it went through. */
  get blocking(): IDiagnostic[] | null {
    return this._blocking;
  }

  /** The current notebook's latest run, if one was started from this page. */
  get run(): IRunStatus | null {
    const path = this._source?.path;
    return path === undefined ? null : this.runs.of(path);
  }

  get running(): boolean {
    return this.run?.state === 'running';
  }

  /** Cancel was asked for the current notebook's run, which has not ended yet. */
  get cancelling(): boolean {
    const path = this._source?.path;
    return path !== undefined && this.runs.cancelling(path);
  }

  /**
   * Ask the server to stop the current notebook's run; the poll that follows it shows the
   * stages cancelled once their kernels are stopped. A run that ended meanwhile is left be.
   */
  async cancelRun(): Promise<void> {
    const source = this._source;
    const problem = source ? await this.runs.cancel(source.path) : null;
    if (problem !== null && source === this._source) {
      this._error = problem;
      this._changed.emit();
    }
  }

  stageState(name: string): StageRunState {
    return this.run?.stages.find(s => s.name === name)?.state ?? 'idle';
  }

  /** Where the pipeline beside the current notebook stands on disk (null before the answer). */
  get status(): IPipelineStatus | null {
    const path = this._source?.path;
    return path === undefined ? null : (this._status.get(path) ?? null);
  }

  stageStatus(name: string): IStageStatus | undefined {
    return this.status?.stages.find(s => s.name === name);
  }

  /**
   * The failure of stage `name`: from the run of this page while it is known, else from the
   * executed notebook on disk (so it survives a reload). The cell is the user's own, found by id.
   */
  stageFailure(name: string): IStageFailure | null {
    const source = this._source;
    return failureOf(name, this.run, this.stageStatus(name), id =>
      source?.indexOfCell ? source.indexOfCell(id) : -1
    );
  }

  /** The proposed split of an untagged notebook, while the user looks at it. */
  get split(): ISplitPreview | null {
    return this._split;
  }

  /** Analyse the live notebook as if split at headings of `level`; nothing is written. */
  async previewSplit(level: number): Promise<void> {
    const source = this.requireSource();
    try {
      const analysis = await this.api.analyze({
        path: source.path,
        notebook: source.toJSON(),
        by_headings: level
      });
      if (source === this._source) {
        this._split = { level, analysis };
        this._changed.emit();
      }
    } catch (error) {
      this._error = messageOf(error);
      this._changed.emit();
    }
  }

  cancelSplit(): void {
    if (this._split !== null) {
      this._split = null;
      this._changed.emit();
    }
  }

  /** Read each stage's state from disk again (dvc.lock, executed notebooks). */
  async refreshStatus(): Promise<void> {
    const source = this._source;
    if (source === null) {
      return;
    }
    const path = source.path;
    try {
      const status = await this.api.pipelineStatus(path);
      this._status.set(path, status);
    } catch (error) {
      // The states are a help, not the panel's job: say why they are missing, keep the rest.
      this._status.set(path, {
        notebook: path,
        dvc_yaml: null,
        stages: [],
        message: messageOf(error)
      });
    }
    if (source === this._source) {
      this._changed.emit();
    }
  }

  /** Executed stage notebooks opened from the panel: never followed as the notebook. */
  isReport(path: string): boolean {
    return this._reports.has(path);
  }

  markReport(path: string): void {
    this._reports.add(path);
  }

  /** The source made for `owner` (a notebook widget) once, so its signals connect once. */
  sourceFor(owner: object, make: () => INotebookSource): INotebookSource {
    let source = this._sources.get(owner);
    if (!source) {
      source = make();
      this._sources.set(owner, source);
    }
    return source;
  }

  /** Follow another notebook (or none); its analysis starts afresh. */
  setSource(source: INotebookSource | null): void {
    if (source === this._source) {
      return;
    }
    this._source?.changed.disconnect(this._onEdit, this);
    this._source = source;
    this._analysis = null;
    this._blocking = null;
    this._error = null;
    this._split = null;
    this._stale = source !== null;
    this.live.reset();
    source?.changed.connect(this._onEdit, this);
    this._changed.emit();
    if (source !== null && this._active) {
      void this.analyzeNow();
      void this.refreshStatus();
    }
  }

  /** Analyse only while someone looks (the panel is shown); catch up when it is shown again. */
  setActive(active: boolean): void {
    this._active = active;
    if (active && this._stale) {
      void this.analyzeNow();
    }
    if (active) {
      // A run from a terminal (nb2pipe run, dvc repro) changes the states while it is hidden.
      void this.refreshStatus();
    }
  }

  /** Analyse after `debounceMs` of quiet: typing sends one request, not one per key. */
  scheduleAnalysis(): void {
    this._stale = true;
    if (!this._active || this._source === null) {
      return;
    }
    this.live.schedule();
  }

  /**
   * Send the live notebook now; an answer older than one already shown is dropped. Unless
   * `always`, content already sent is not sent again (running a cell changes only outputs,
   * which are not sent).
   */
  async analyzeNow(always = true): Promise<void> {
    this._stale = false;
    await this.live.now(always);
  }

  /**
   * Write the pipeline of the saved notebook. A refusal (422 with diagnostics) is kept in
   * `blocking` for the panel and thrown, as is every other failure, for the caller to report.
   */
  async exportPipeline(force = false): Promise<IExportResult> {
    const source = this.requireSource();
    try {
      const result = await this.api.exportPipeline(source.path, { force, by_headings: null });
      if (source === this._source) {
        this._blocking = null;
        this._error = null;
        this.runs.forget(source.path); // the pipeline changed: its states come from disk now
        this.showAnalysis(result.analysis);
        void this.refreshStatus();
      }
      return result;
    } catch (error) {
      const failed = error as IFailed;
      if (source === this._source && failed.status === 422) {
        this._blocking = failed.body?.diagnostics ?? [];
        this._changed.emit();
      }
      throw error;
    }
  }

  /**
   * Start the pipeline of the notebook's folder and follow it until it ends; the final status
   * is returned. A run of that folder already going (409) is followed instead of failing.
   */
  async runPipeline(force = false): Promise<IRunStatus> {
    const path = this.requireSource().path;
    const final = await this.runs.start(path, force);
    if (path === this._source?.path) {
      await this.refreshStatus();
    }
    return final;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.runs.dispose();
    this.live.cancel();
    this._source?.changed.disconnect(this._onEdit, this);
    Signal.clearData(this);
  }

  private showAnalysis(analysis: IAnalysis): void {
    this._analysis = analysis;
    this._error = null;
    this._generation++;
    this._changed.emit();
  }

  private requireSource(): INotebookSource {
    if (this._source === null) {
      throw new Error('open a notebook first: the pipeline is made from the active notebook');
    }
    return this._source;
  }

  private _onEdit(): void {
    this.scheduleAnalysis();
  }

  private readonly live = new LiveAnalysis(
    this.api,
    () => this._source,
    analysis => {
      if (analysis.ok) {
        this._blocking = null; // fixed since the refused export
      }
      this.showAnalysis(analysis);
    },
    message => {
      this._error = message;
      this._changed.emit();
    }
  );
  private readonly runs = new PipelineRuns(this.api, () => this._changed.emit());
  private _disposed = false;
  private _status = new Map<string, IPipelineStatus>();
  private _split: ISplitPreview | null = null;
  private _reports = new Set<string>();
  private _sources = new WeakMap<object, INotebookSource>();
  private _source: INotebookSource | null = null;
  private _active = false;
  private _stale = false;
  private _analysis: IAnalysis | null = null;
  private _generation = 0;
  private _error: string | null = null;
  private _blocking: IDiagnostic[] | null = null;
  private _changed = new Signal<this, void>(this);
}
