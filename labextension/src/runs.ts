/**
 * Runs of the pipeline started from this page: following each on the server (a lumino Poll of
 * GET /nb2pipe/run/<id>, disposed once the run has ended or cannot be read), the latest status
 * per notebook, and Cancel. No DOM; the owner is told of every change.
 */

import { Poll } from '@lumino/polling';

import type { INb2PipeApi } from './api';
import { IFailed, messageOf } from './messages';
import type { IRunStatus } from './types';

export interface IFollowedRun {
  /** Dispose it to stop following (the final promise then stays pending). */
  poll: Poll;
  final: Promise<IRunStatus>;
}

export function followRun(
  api: INb2PipeApi,
  runId: string,
  intervalMs: number,
  onStatus: (status: IRunStatus) => void
): IFollowedRun {
  let poll!: Poll;
  const final = new Promise<IRunStatus>((resolve, reject) => {
    poll = new Poll({
      name: `nb2pipe:run:${runId}`,
      frequency: { interval: intervalMs, backoff: false },
      standby: 'never',
      factory: async () => {
        let status: IRunStatus;
        try {
          status = await api.runStatus(runId);
        } catch (error) {
          poll.dispose();
          reject(error);
          return;
        }
        onStatus(status);
        if (status.state !== 'running') {
          poll.dispose();
          resolve(status);
        }
      }
    });
  });
  return { poll, final };
}

/** The runs of this page, by the path of the notebook whose pipeline runs. */
export class PipelineRuns {
  constructor(
    private readonly api: INb2PipeApi,
    private readonly changed: () => void
  ) {}

  /** Interval between two looks at a running pipeline. */
  pollMs = 300;

  /** The latest status of the run of `path`'s pipeline, if one was started from this page. */
  of(path: string): IRunStatus | null {
    return this._runs.get(path) ?? null;
  }

  /** Cancel was asked for the run of `path`, which has not ended yet. */
  cancelling(path: string): boolean {
    const run = this.of(path);
    return run?.state === 'running' && this._cancelling.has(run.run_id);
  }

  /** The pipeline changed (an export): its states come from disk again. */
  forget(path: string): void {
    this._runs.delete(path);
  }

  /**
   * Start the pipeline beside `path` and follow it until it ends; the final status is
   * returned. A run of that pipeline already going (409) is followed instead of failing.
   */
  async start(path: string, force: boolean): Promise<IRunStatus> {
    let runId: string;
    try {
      runId = await this.api.startRun(path, force);
    } catch (error) {
      const failed = error as IFailed;
      if (failed.status !== 409 || !failed.body?.run_id) {
        throw error;
      }
      runId = failed.body.run_id;
    }
    const followed = followRun(this.api, runId, this.pollMs, status => {
      this._runs.set(path, status);
      this.changed();
    });
    this._polls.add(followed.poll);
    return followed.final.finally(() => this._polls.delete(followed.poll));
  }

  /**
   * Ask the server to stop the run of `path`; the poll shows its stages cancelled once their
   * kernels are stopped. Why the request failed, or null (a run that ended meanwhile, 409,
   * is no failure: the poll shows how it ended).
   */
  async cancel(path: string): Promise<string | null> {
    const run = this.of(path);
    if (!run || run.state !== 'running' || this._cancelling.has(run.run_id)) {
      return null;
    }
    this._cancelling.add(run.run_id);
    this.changed();
    try {
      await this.api.cancelRun(run.run_id);
    } catch (error) {
      if ((error as IFailed).status !== 409) {
        this._cancelling.delete(run.run_id);
        return messageOf(error);
      }
    }
    return null;
  }

  dispose(): void {
    for (const poll of this._polls) {
      poll.dispose();
    }
    this._polls.clear();
  }

  private readonly _runs = new Map<string, IRunStatus>();
  private readonly _cancelling = new Set<string>();
  private readonly _polls = new Set<Poll>();
}
