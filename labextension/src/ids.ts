/** Stable identifiers other code (keyboard shortcuts, tests, docs) may rely on. */

export const PANEL_ID = 'nb2pipe-panel';

export namespace CommandIds {
  export const openPanel = 'nb2pipe:open-panel';
  export const assignStage = 'nb2pipe:assign-stage';
  export const renameStage = 'nb2pipe:rename-stage';
  export const toggleParameters = 'nb2pipe:toggle-parameters';
  export const toggleSkip = 'nb2pipe:toggle-skip';
  export const exportPipeline = 'nb2pipe:export';
  export const run = 'nb2pipe:run';
  export const cancelRun = 'nb2pipe:cancel-run';
  export const revealCell = 'nb2pipe:reveal-cell';
  export const openFile = 'nb2pipe:open-file';
  export const splitAtHeadings = 'nb2pipe:split-at-headings';
}
