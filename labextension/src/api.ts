/**
 * The one place the frontend talks HTTP: nb2pipe's server extension routes (docs/server-api.md).
 * ServerConnection adds the token / XSRF header and the base URL as for any Jupyter API call.
 */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type {
  IAnalysis,
  IErrorBody,
  IExportOptions,
  IExperiments,
  IExportResult,
  IPipelineStatus,
  IRunStarted,
  IRunStatus
} from './types';

/** A 4xx/5xx answer, or no answer at all (status 0), with the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: IErrorBody
  ) {
    super(body.message);
    this.name = 'ApiError';
  }
}

export interface IAnalyzeRequest {
  path: string;
  notebook?: unknown;
  by_headings?: number | null;
}

/** What the model needs from the server; tests pass a fake. */
export interface INb2PipeApi {
  analyze(request: IAnalyzeRequest): Promise<IAnalysis>;
  exportPipeline(path: string, options: IExportOptions): Promise<IExportResult>;
  startRun(path: string, force: boolean): Promise<string>;
  runStatus(runId: string): Promise<IRunStatus>;
  /** Ask a running pipeline to stop (as Ctrl-C stops `nb2pipe run`); its status now. */
  cancelRun(runId: string): Promise<IRunStatus>;
  /** Each stage's state on disk (dvc.lock, executed notebooks), for the pipeline beside `path`. */
  pipelineStatus(path: string): Promise<IPipelineStatus>;
}

/** The experiments view's routes (experiments/model.ts). */
export interface IExperimentsApi {
  /** The parameters, experiments and provenance of the pipeline beside `path`. */
  experiments(path: string): Promise<IExperiments>;
  /** Run every combination of `grid` (name -> values) as a DVC experiment; the run's id. */
  startExperiments(path: string, grid: Record<string, unknown[]>, jobs: number): Promise<string>;
}

export class HttpApi implements INb2PipeApi, IExperimentsApi {
  constructor(
    private readonly settings: ServerConnection.ISettings = ServerConnection.makeSettings()
  ) {}

  analyze(request: IAnalyzeRequest): Promise<IAnalysis> {
    return this.call<IAnalysis>('POST', ['analyze'], request);
  }

  exportPipeline(path: string, options: IExportOptions): Promise<IExportResult> {
    return this.call<IExportResult>('POST', ['export'], { path, options });
  }

  async startRun(path: string, force: boolean): Promise<string> {
    const reply = await this.call<IRunStarted>('POST', ['run'], {
      path,
      options: { force }
    });
    return reply.run_id;
  }

  runStatus(runId: string): Promise<IRunStatus> {
    return this.call<IRunStatus>('GET', ['run', encodeURIComponent(runId)]);
  }

  cancelRun(runId: string): Promise<IRunStatus> {
    return this.call<IRunStatus>('POST', ['run', encodeURIComponent(runId), 'cancel'], {});
  }

  pipelineStatus(path: string): Promise<IPipelineStatus> {
    return this.call<IPipelineStatus>('GET', ['status'], undefined, { path });
  }

  experiments(path: string): Promise<IExperiments> {
    return this.call<IExperiments>('GET', ['experiments'], undefined, { path });
  }

  async startExperiments(
    path: string,
    grid: Record<string, unknown[]>,
    jobs: number
  ): Promise<string> {
    const reply = await this.call<IRunStarted>('POST', ['experiments'], { path, grid, jobs });
    return reply.run_id;
  }

  private async call<T>(
    method: string,
    route: string[],
    body?: unknown,
    query?: Record<string, string>
  ): Promise<T> {
    const url =
      URLExt.join(this.settings.baseUrl, 'nb2pipe', ...route) +
      (query ? URLExt.objectToQueryString(query) : '');
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, init, this.settings);
    } catch (error) {
      throw new ApiError(0, {
        message: `the Jupyter server did not answer (${String(error)}); is it still running?`
      });
    }
    const text = await response.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) {
      throw new ApiError(response.status, errorBody(response.status, data, route));
    }
    return data as T;
  }
}

function errorBody(status: number, data: unknown, route: string[]): IErrorBody {
  if (data && typeof data === 'object' && typeof (data as IErrorBody).message === 'string') {
    return data as IErrorBody;
  }
  if (status === 404 && route[0] !== 'run') {
    return {
      message:
        "nb2pipe's server extension is not enabled in this Jupyter server: " +
        "run 'jupyter server extension enable jupyter_pipeline' and restart it"
    };
  }
  return { message: `the server answered ${status} to /nb2pipe/${route.join('/')}` };
}
