import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { withoutOutputs } from '../src/notebook';

describe('withoutOutputs', () => {
  it('sends code and tags but no outputs or attachments (they can be megabytes)', () => {
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3' } },
      cells: [
        {
          id: 'a',
          cell_type: 'code',
          source: 'x = 1',
          metadata: { tags: ['stage:load'] },
          execution_count: 3,
          outputs: [{ output_type: 'display_data', data: { 'image/png': 'AAAA' } }]
        },
        {
          id: 'b',
          cell_type: 'markdown',
          source: '# T',
          metadata: {},
          attachments: { 'p.png': {} }
        }
      ]
    };
    const sent = withoutOutputs(notebook) as typeof notebook;
    assert.deepEqual(sent.cells[0], {
      id: 'a',
      cell_type: 'code',
      source: 'x = 1',
      metadata: { tags: ['stage:load'] },
      execution_count: null,
      outputs: []
    });
    assert.deepEqual(sent.cells[1], {
      id: 'b',
      cell_type: 'markdown',
      source: '# T',
      metadata: {}
    });
    assert.deepEqual(sent.metadata, notebook.metadata);
    assert.equal(notebook.cells[0].outputs?.length, 1, 'the notebook itself is left alone');
  });
});
