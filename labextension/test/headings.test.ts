import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { cellSources, headingNames, splitLevel } from '../src/headings';

const md = (source: string) => ({ type: 'markdown', source });
const code = (source: string) => ({ type: 'code', source });

describe('split at headings', () => {
  it('names each section after its heading, on its first code cell (as nb2pipe tag does)', () => {
    const cells = [
      md('# Title'),
      code('import os'),
      md('## Load data'),
      code('df = 1'),
      code('df += 1'),
      md('## Load data'),
      code('x = df'),
      md('## `Train` (fast)'),
      code('m = x')
    ];
    assert.deepEqual(
      [...headingNames(cells, 2)],
      [
        [3, 'load-data'],
        [6, 'load-data-2'],
        [8, 'train-fast']
      ]
    );
  });

  it('offers the level that cuts the notebook into sections', () => {
    // One title and several ## sections: level 2, not the title alone.
    const sections = [
      md('# T'),
      code('a = 1'),
      md('## A'),
      code('b = 1'),
      md('## B'),
      code('c = 1')
    ];
    assert.equal(splitLevel(sections), 2);
    // One ## and many #: level 1 (the notebook that became a single stage).
    const flat = [md('# A'), code('a = 1'), md('## a1'), code('b = 1'), md('# B'), code('c = 1')];
    assert.equal(splitLevel(flat), 1);
    assert.equal(splitLevel([md('no heading'), code('x = 1')]), null);
    assert.equal(splitLevel([md('# Only'), code('x = 1')]), 1);
  });

  it('reads nbformat JSON, whose source may be a list of lines', () => {
    assert.deepEqual(
      cellSources({
        cells: [
          { cell_type: 'markdown', source: ['## A\n', 'text'] },
          { cell_type: 'code', source: 'x = 1' }
        ]
      }),
      [md('## A\ntext'), code('x = 1')]
    );
  });
});
