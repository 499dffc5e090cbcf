/** What nb2pipe's plugin provides to other plugins. */

import { Token } from '@lumino/coreutils';

import type { PipelineModel } from './model';

/** The Pipeline panel's model: the active notebook's analysis, its stages' states and runs. */
export const IPipelineModel = new Token<PipelineModel>(
  'nb2pipe:IPipelineModel',
  "nb2pipe's pipeline model: the followed notebook's analysis, stage states and runs."
);
