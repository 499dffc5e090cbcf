/**
 * A failed stage as the user sees it: the error, and where it happened in their own notebook.
 * Pure: the run of this page, the state on disk and a lookup of cells by id come in as values.
 */

import type { IRunStatus, IStageStatus } from './types';

/** What the user sees of a failed stage: the error, and where it happened in their notebook. */
export interface IStageFailure {
  stage: string;
  message: string;
  /** The cell of the user's notebook that raised, or null when it is not one of theirs. */
  cell: number | null;
  executed_notebook: string | null;
}

/**
 * The failure of stage `name`: from the run of this page while it is known, else from the
 * executed notebook on disk (so it survives a reload). The cell is the user's own, found by
 * the id the stage notebook kept; null when the error is in one of nb2pipe's own cells.
 */
export function failureOf(
  name: string,
  run: IRunStatus | null,
  disk: IStageStatus | undefined,
  indexOfCell: (id: string) => number
): IStageFailure | null {
  const live = run?.failure?.stage === name ? run.failure : null;
  const ranHere = run?.stages.some(s => s.name === name && s.state !== 'failed');
  if (!live && (disk?.state !== 'failed' || ranHere)) {
    return null;
  }
  const error = disk?.state === 'failed' ? disk.error : null;
  const index = error?.cell_id ? indexOfCell(error.cell_id) : -1;
  return {
    stage: name,
    message: live?.message || (error ? `${error.ename}: ${error.evalue}` : (disk?.reason ?? '')),
    cell: index >= 0 ? index : null,
    executed_notebook: live?.executed_notebook ?? disk?.executed_notebook ?? null
  };
}
