/**
 * What a failed request or run says to the user, read from the server's answers. Pure.
 */

import type { IErrorBody, IRunFailure } from './types';

/** The part of an ApiError the model reads (kept structural so tests need no HTTP layer). */
export interface IFailed {
  status?: number;
  body?: IErrorBody;
  message?: string;
}

export function messageOf(error: unknown): string {
  const failed = error as IFailed;
  return failed?.body?.message ?? failed?.message ?? String(error);
}

/** The runner's message names the stage already ("stage 'model' of 'x.ipynb' failed: …"). */
export function failureSentence(failure: IRunFailure): string {
  return failure.message.includes(`stage '${failure.stage}'`)
    ? failure.message
    : `Stage ${failure.stage} failed: ${failure.message}`;
}
