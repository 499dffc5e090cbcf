/**
 * The JSON the server extension answers with: mirrors jupyter_pipeline/wire.py and
 * docs/server-api.md. Types only, so every layer can import it without side effects.
 */

export interface IDiagnostic {
  code: string;
  severity: 'error' | 'warning' | string;
  message: string;
  /** The cell's index (0-based). */
  cell: number | null;
  /** The cell's number as JupyterLab shows it (1-based). */
  number: number | null;
  line: number | null;
  column: number | null;
}

export interface INeed {
  name: string;
  from: string | null;
}

export interface IFileInput {
  path: string;
  from: string | null;
}

export interface IStage {
  name: string;
  cells: number[];
  cell_numbers?: number[];
  cell_ids: string[];
  needs: INeed[];
  hands_on: string[];
  params: string[];
  imports?: string[];
  definitions?: string[];
  deps?: string[];
  file_inputs: IFileInput[];
  outs: string[];
  after?: string[];
  metrics: string[];
  upstream: string[];
}

export interface IEdge {
  from: string;
  to: string;
  label: string;
}

export interface IParam {
  name: string;
  value: unknown;
  cell: number | null;
  number: number | null;
}

export interface IAnalysis {
  notebook: string;
  ok: boolean;
  params: IParam[];
  stages: IStage[];
  diagnostics: IDiagnostic[];
  edges: IEdge[];
  /** Set for a stage notebook nb2pipe generated: the panel refuses to assign cells there. */
  generated_from?: { notebook: string; stage: string } | null;
  /** `nb2pipe show --json`: where each declared metric comes from. */
  provenance?: IMetricSource[];
}

/** A data file a metric depends on, with the DVC hash dvc.lock recorded (null: not run). */
export interface IDataFile {
  path: string;
  md5: string | null;
}

/** A parameter a metric depends on, with the value dvc.lock recorded. */
export interface IParamUsed {
  name: string;
  value: unknown;
  recorded: boolean;
}

/** Which stages, cells, parameters and data files produced a metrics file. */
export interface IMetricSource {
  metrics: string;
  stage: string;
  stages: string[];
  cells: number[];
  cell_ids: string[];
  params: IParamUsed[];
  data: IDataFile[];
}

/** A params.yaml value set outside the notebook (by hand, `dvc exp`) that export kept. */
export interface IKeptParam {
  name: string;
  value: unknown;
  notebook_value: unknown;
}

export interface IExportOptions {
  force: boolean;
  by_headings?: number | null;
}

export interface IExportResult {
  written: string[];
  unchanged: string[];
  removed: string[];
  out_dir: string;
  dvc_yaml: string;
  analysis: IAnalysis;
  kept_params?: IKeptParam[];
}

export interface IRunStarted {
  run_id: string;
}

export type RunState = 'running' | 'done' | 'failed' | 'cancelled';

/** `idle` is the panel's own state for a stage before any run. */
export type StageRunState =
  'idle' | 'waiting' | 'skipped' | 'running' | 'done' | 'failed' | 'cancelled' | 'not started';

export interface IStageRun {
  name: string;
  state: StageRunState;
  seconds: number | null;
  /** While it runs: "cell 2/4", "loading inputs". */
  cell: string | null;
  /** While it runs: the last line it printed. */
  output: string | null;
  detail: string | null;
}

export interface IRunFailure {
  stage: string;
  message: string;
  executed_notebook: string | null;
  cell_index: number | null;
}

export interface IRunStatus {
  run_id: string;
  state: RunState;
  stages: IStageRun[];
  message: string | null;
  failure: IRunFailure | null;
}

/** Where a stage stands on disk (GET /nb2pipe/status), known without a run of this page. */
export type StageDiskState = 'up to date' | 'changed' | 'never run' | 'failed' | 'frozen';

export interface IStageError {
  /** The id of the cell that raised: stage notebooks keep the user's cell ids. */
  cell_id: string | null;
  ename: string;
  evalue: string;
}

export interface IStageStatus {
  name: string;
  state: StageDiskState | string;
  /** Why the stage would run again, or why not ("up to date", "parameter 'n' changed"). */
  reason: string;
  executed_notebook: string | null;
  metrics: string[];
  plots: string[];
  error: IStageError | null;
}

export interface IPipelineStatus {
  notebook: string;
  /** null until the notebook has been exported. */
  dvc_yaml: string | null;
  stages: IStageStatus[];
  message: string | null;
}

/** The body of every 4xx answer; 422 from export adds the blocking diagnostics. */
export interface IErrorBody {
  message: string;
  diagnostics?: IDiagnostic[];
  paths?: string[];
  run_id?: string;
}

/** A parameter of params.yaml (dotted name) with its value now. */
export interface IParamValue {
  name: string;
  value: unknown;
}

/** One experiment as DVC shows it ("workspace" is the workspace): parameters and metrics. */
export interface IExperiment {
  name: string;
  rev: string;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

/** GET /nb2pipe/experiments: the pipeline's parameters, its experiments, the workspace's provenance. */
export interface IExperiments {
  notebook: string;
  /** null until the notebook has been exported. */
  dvc_yaml: string | null;
  params: IParamValue[];
  param_columns: string[];
  metric_columns: string[];
  experiments: IExperiment[];
  provenance: IMetricSource[];
  message: string | null;
}
