import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  assignmentCovers,
  assignStage,
  cellRoles,
  generatedStage,
  generatedStageMessage,
  ICellTags,
  ITagEdit,
  renameStage,
  stageCells,
  stageNameProblem,
  stageNames,
  stageTagOf,
  toggleFlag,
  withStageTag
} from '../src/tags';

const code = (...tags: string[]): ICellTags => ({ type: 'code', tags });
const md = (): ICellTags => ({ type: 'markdown', tags: [] });

function apply(cells: ICellTags[], edits: ITagEdit[]): ICellTags[] {
  const out = cells.map(c => ({ ...c, tags: [...c.tags] }));
  for (const e of edits) {
    out[e.index].tags = e.tags;
  }
  return out;
}

const stagesOf = (cells: ICellTags[]) => cellRoles(cells).map(r => r.stage);

/** The wine example without its stage tags: 19 cells, `parameters` at 2, `skip` at 5. */
function wine(): ICellTags[] {
  const cells: ICellTags[] = [];
  for (let i = 0; i < 19; i++) {
    cells.push([0, 3, 6, 9, 13, 16].includes(i) ? md() : code());
  }
  cells[2] = code('parameters');
  cells[5] = code('skip');
  return cells;
}

describe('stage names', () => {
  it('accepts the names DESIGN.md allows and explains the rest', () => {
    for (const ok of ['load', 'a', '0train', 'feature_eng-2']) {
      assert.equal(stageNameProblem(ok), null, ok);
    }
    assert.match(stageNameProblem('Bad Name')!, /"bad-name"/);
    assert.notEqual(stageNameProblem('-x'), null);
    assert.notEqual(stageNameProblem('_x'), null);
    assert.notEqual(stageNameProblem('a b'), null);
    assert.equal(stageNameProblem(''), 'type a stage name');
  });

  it("reads Kale's block: and step: and skips invalid names", () => {
    assert.equal(stageTagOf(['block:prep']), 'prep');
    assert.equal(stageTagOf(['step:train', 'metrics']), 'train');
    assert.equal(stageTagOf(['stage:Bad', 'stage:good']), 'good');
    assert.equal(stageTagOf(['prev:load', 'after:x']), null);
  });

  it('replaces the stage tag where it was and keeps other tags', () => {
    assert.deepEqual(withStageTag(['metrics', 'block:a', 'x'], 'b'), ['metrics', 'stage:b', 'x']);
    assert.deepEqual(withStageTag(['metrics'], 'b'), ['metrics', 'stage:b']);
    assert.deepEqual(withStageTag(['stage:a', 'step:c', 'y'], null), ['y']);
  });
});

describe('cellRoles', () => {
  it('follows DESIGN.md §2: leading cells join the first stage, skip and markdown none', () => {
    const cells = [
      code(),
      md(),
      code('parameters'),
      code('stage:a'),
      code('skip'),
      code(),
      code('stage:b')
    ];
    assert.deepEqual(stagesOf(cells), ['a', null, 'a', 'a', null, 'a', 'b']);
    const roles = cellRoles(cells);
    assert.equal(roles[2].parameters, true);
    assert.equal(roles[4].skip, true);
    assert.deepEqual(
      roles.map(r => r.starts),
      [false, false, false, true, false, false, true]
    );
  });

  it('treats a repeated tag of the current stage as a continuation', () => {
    const cells = [code('stage:a'), code('stage:a'), code()];
    assert.deepEqual(stagesOf(cells), ['a', 'a', 'a']);
    assert.deepEqual(stageNames(cells), ['a']);
  });

  it('gives no stage to any cell of a notebook without stage tags', () => {
    assert.deepEqual(stagesOf([code(), code('parameters')]), [null, null]);
    assert.deepEqual(stageNames([code()]), []);
  });
});

describe('stageCells', () => {
  it('lists the stages the tags make, even a stage split in two runs the analysis refuses', () => {
    const cells = [
      code('parameters'),
      code('stage:a'),
      md(),
      code('stage:b'),
      code('skip'),
      code('stage:a')
    ];
    assert.deepEqual(stageCells(cells), [
      { name: 'a', cells: [0, 1, 5] },
      { name: 'b', cells: [3] }
    ]);
  });
});

describe('assignStage', () => {
  it('makes the three stages the user clicks in the wine example', () => {
    let cells = wine();
    for (const [name, selected] of [
      ['load', [4]],
      ['features', [10]],
      ['model', [14, 15]]
    ] as [string, number[]][]) {
      cells = apply(cells, assignStage(cells, selected, name));
    }
    const stages = stagesOf(cells);
    assert.deepEqual(
      {
        1: stages[1],
        2: stages[2],
        4: stages[4],
        8: stages[8],
        10: stages[10],
        12: stages[12],
        14: stages[14],
        18: stages[18]
      },
      {
        1: 'load',
        2: 'load',
        4: 'load',
        8: 'load',
        10: 'features',
        12: 'features',
        14: 'model',
        18: 'model'
      }
    );
    assert.equal(stages[5], null);
    assert.deepEqual(cells[15].tags, []);
    assert.deepEqual(cells[2].tags, ['parameters']);
    assert.deepEqual(stageNames(cells), ['load', 'features', 'model']);
  });

  it('keeps the rest of a stage whose first cells were given another stage', () => {
    const cells = [code('stage:a'), code(), code(), code(), code('stage:b'), code()];
    const after = apply(cells, assignStage(cells, [0, 1], 'prep'));
    assert.deepEqual(stagesOf(after), ['prep', 'prep', 'a', 'a', 'b', 'b']);
    assert.deepEqual(after[2].tags, ['stage:a']);
  });

  it('lets a later stage start inside an earlier one without splitting it', () => {
    const cells = [code('stage:a'), code(), code(), code()];
    const after = apply(cells, assignStage(cells, [1, 2], 'b'));
    // Tagging cell 3 'a' again would make 'a' two runs of cells, which the analysis rejects.
    assert.deepEqual(stagesOf(after), ['a', 'b', 'b', 'b']);
  });

  it('gives two separate assignments what each selection showed', () => {
    let cells = [code(), code(), code(), code(), code(), code()];
    cells = apply(cells, assignStage(cells, [2, 3], 'train'));
    assert.deepEqual(stagesOf(cells), Array(6).fill('train'));
    cells = apply(cells, assignStage(cells, [0, 1], 'load'));
    assert.deepEqual(stagesOf(cells), ['load', 'load', 'train', 'train', 'train', 'train']);
    cells = apply(cells, assignStage(cells, [4, 5], 'report'));
    assert.deepEqual(stagesOf(cells), ['load', 'load', 'train', 'train', 'report', 'report']);
    assert.deepEqual(
      cells.map(c => c.tags),
      [['stage:load'], [], ['stage:train'], [], ['stage:report'], []]
    );
  });

  it('moves the start of the next stage up without leaving a duplicate tag', () => {
    const cells = [code('stage:a'), code(), code('stage:b'), code()];
    const after = apply(cells, assignStage(cells, [1], 'b'));
    assert.deepEqual(stagesOf(after), ['a', 'b', 'b', 'b']);
    assert.deepEqual(
      after.map(c => c.tags),
      [['stage:a'], ['stage:b'], [], []]
    );
  });

  it('puts the tag on the first selected cell that is not skip, and replaces Kale tags', () => {
    const cells = [code('skip'), code('block:x', 'metrics'), code()];
    const after = apply(cells, assignStage(cells, [0, 1, 2], 'y'));
    assert.deepEqual(
      after.map(c => c.tags),
      [['skip'], ['stage:y', 'metrics'], []]
    );
  });

  it('changes nothing without a selected code cell', () => {
    assert.deepEqual(assignStage([md(), code()], [0], 'a'), []);
    assert.deepEqual(assignStage([code()], [], 'a'), []);
  });
});

describe('renameStage', () => {
  it('rewrites the stage tags, aliases and after: tags naming it', () => {
    const cells = [code('block:a'), code(), code('stage:b', 'prev:a'), code('after:a', 'x')];
    const after = apply(cells, renameStage(cells, 'a', 'load'));
    assert.deepEqual(
      after.map(c => c.tags),
      [['stage:load'], [], ['stage:b', 'after:load'], ['after:load', 'x']]
    );
  });

  it('names the implicit stage of an untagged notebook on its first code cell', () => {
    const cells = [md(), code('parameters'), code()];
    const after = apply(cells, renameStage(cells, 'main', 'all'));
    assert.deepEqual(
      after.map(c => c.tags),
      [[], ['parameters', 'stage:all'], []]
    );
    assert.deepEqual(stageNames(after), ['all']);
  });
});

describe('toggleFlag', () => {
  it('marks the selected code cells, and unmarks when all have it', () => {
    const cells = [code(), code('skip'), md()];
    const marked = apply(cells, toggleFlag(cells, [0, 1, 2], 'skip'));
    assert.deepEqual(
      marked.map(c => c.tags),
      [['skip'], ['skip'], []]
    );
    const unmarked = apply(marked, toggleFlag(marked, [0, 1], 'skip'));
    assert.deepEqual(
      unmarked.map(c => c.tags),
      [[], [], []]
    );
  });

  it("removes Kale's pipeline-parameters too when unmarking parameters", () => {
    const cells = [code('pipeline-parameters', 'x')];
    assert.deepEqual(toggleFlag(cells, [0], 'parameters'), [{ index: 0, tags: ['x'] }]);
  });
});

describe('assignmentCovers', () => {
  it('says before anything is written that an untagged notebook becomes the stage whole', () => {
    // Cells 1-4 selected in the untagged wine notebook: the new stage holds every code cell
    // but the skip one, since nothing else is tagged yet.
    const covers = assignmentCovers(wine(), [1, 2, 4], 'load');
    assert.deepEqual(covers, [1, 2, 4, 7, 8, 10, 11, 12, 14, 15, 17, 18]);
  });

  it('stops at the next stage tag', () => {
    const cells = wine();
    cells[10] = code('stage:features');
    assert.deepEqual(assignmentCovers(cells, [4], 'load'), [1, 2, 4, 7, 8]);
  });
});

describe('generated stage notebooks', () => {
  it('are recognised by their nb2pipe metadata, executed copies included', () => {
    const found = generatedStage({
      nb2pipe: { notebook: 'wine.ipynb', stage: 'train' },
      papermill: {}
    });
    assert.deepEqual(found, { notebook: 'wine.ipynb', stage: 'train' });
    assert.match(generatedStageMessage(found!, 'assign cells'), /open 'wine.ipynb' to assign/);
  });
  it('a notebook of the user is not one', () => {
    assert.equal(generatedStage({ kernelspec: {} }), null);
    assert.equal(generatedStage(null), null);
    assert.equal(generatedStage({ nb2pipe: { stage: 3 } }), null);
  });
});
