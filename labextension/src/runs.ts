/**
 * Following a run of the pipeline on the server: a lumino Poll of GET /nb2pipe/run/<id> that
 * reports each status and stops (is disposed) once the run has ended or cannot be read.
 */

import { Poll } from '@lumino/polling';

import type { INb2PipeApi } from './api';
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
