import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { layoutPlot, PLOT_HEIGHT, PLOT_WIDTH } from '../src/experiments/plot';
import {
  bestRev,
  parseValues,
  pythonLiteral,
  sortedRows,
  withParameterValues
} from '../src/experiments/values';

const row = (rev: string, params: Record<string, unknown>, metrics: Record<string, unknown>) => ({
  name: rev,
  rev,
  params,
  metrics
});

describe('parseValues', () => {
  it('keeps the type of the current value, a comma list being a grid', () => {
    assert.deepEqual(parseValues('0.1, 1e-3', 0.5), { values: [0.1, 0.001] });
    assert.deepEqual(parseValues('True,false', true), { values: [true, false] });
    assert.deepEqual(parseValues('rf, gb', 'rf'), { values: ['rf', 'gb'] });
    assert.deepEqual(parseValues('3,3', 2), { values: [3] });
  });

  it('says what is wrong instead of guessing', () => {
    assert.ok('problem' in parseValues('three', 2));
    assert.ok('problem' in parseValues('yes', true));
    assert.ok('problem' in parseValues('1,', 2));
  });
});

describe('withParameterValues', () => {
  it('rewrites only the assignments of the given names, keeping comments and floats', () => {
    const source = '# settings\nlr = 1.0  # step\nn: int = 50\nname = "a"\nlayers = [\n  1,\n]';
    const out = withParameterValues(source, { lr: 2, n: 80, name: 'b', layers: 3, gone: 1 });
    assert.equal(
      out.source,
      '# settings\nlr = 2.0  # step\nn: int = 80\nname = "b"\nlayers = [\n  1,\n]'
    );
    assert.deepEqual(out.changed, ['lr', 'n', 'name']);
    assert.deepEqual(out.missing, ['layers', 'gone']);
  });

  it('leaves a value written differently but equal alone', () => {
    assert.deepEqual(withParameterValues('lr = 1.0', { lr: 1 }).changed, []);
  });

  it('writes Python literals', () => {
    assert.equal(pythonLiteral(true), 'True');
    assert.equal(pythonLiteral(null), 'None');
    assert.equal(pythonLiteral("it's"), '"it\'s"');
    assert.equal(pythonLiteral(3, '0.5'), '3.0');
    assert.equal(pythonLiteral(3, '2'), '3');
  });
});

describe('the table', () => {
  const rows = [
    row('a', { n: 1 }, { acc: 0.5 }),
    row('b', { n: 2 }, {}),
    row('c', { n: 3 }, { acc: 0.9 })
  ];

  it('sorts by a column either way, rows without a value last', () => {
    assert.deepEqual(
      sortedRows(rows, 'acc', true).map(r => r.rev),
      ['c', 'a', 'b']
    );
    assert.deepEqual(
      sortedRows(rows, 'acc', false).map(r => r.rev),
      ['a', 'c', 'b']
    );
    assert.deepEqual(
      sortedRows(rows, 'n', true).map(r => r.rev),
      ['c', 'b', 'a']
    );
  });

  it('finds the best by a metric, highest or lowest', () => {
    assert.equal(bestRev(rows, 'acc', false), 'c');
    assert.equal(bestRev(rows, 'acc', true), 'a');
    assert.equal(bestRev(rows, null, false), null);
  });

  it('plots the rows with numbers in both columns inside the frame', () => {
    const plot = layoutPlot(rows, 'n', 'acc');
    assert.deepEqual(
      plot.points.map(p => p.rev),
      ['a', 'c']
    );
    const [a, c] = plot.points;
    assert.ok(a.x < c.x && a.y > c.y, 'higher values are right and up');
    for (const p of plot.points) {
      assert.ok(p.x > 0 && p.x < PLOT_WIDTH && p.y > 0 && p.y < PLOT_HEIGHT);
    }
    assert.deepEqual(
      plot.xTicks.map(t => t.value),
      [1, 3]
    );
  });
});
