import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { layoutGraph, NODE_HEIGHT, shortLabel } from '../src/graph';

const edge = (from: string, to: string, label = 'x') => ({ from, to, label });

describe('layoutGraph', () => {
  it('puts each stage one layer below its lowest upstream stage', () => {
    const layout = layoutGraph(
      ['load', 'stats_a', 'stats_b', 'join'],
      [
        edge('load', 'stats_a'),
        edge('load', 'stats_b'),
        edge('stats_a', 'join'),
        edge('stats_b', 'join'),
        edge('load', 'join')
      ]
    );
    const layer = Object.fromEntries(layout.nodes.map(n => [n.name, n.layer]));
    assert.deepEqual(layer, { load: 0, stats_a: 1, stats_b: 1, join: 2 });
    const a = layout.nodes.find(n => n.name === 'stats_a')!;
    const b = layout.nodes.find(n => n.name === 'stats_b')!;
    assert.equal(a.y, b.y);
    assert.ok(a.x < b.x, 'a layer keeps notebook order');
    assert.equal(layout.edges.length, 5);
    for (const n of layout.nodes) {
      assert.ok(n.x >= 0 && n.x <= layout.width && n.y + NODE_HEIGHT <= layout.height);
    }
  });

  it('places independent stages side by side and ignores edges it cannot draw forward', () => {
    const layout = layoutGraph(['a', 'b'], [edge('b', 'a'), edge('a', 'zzz')]);
    assert.deepEqual(
      layout.nodes.map(n => n.layer),
      [0, 0]
    );
    assert.equal(layout.edges.length, 0);
  });

  it('labels an edge between its ends, and near its end when it skips a layer', () => {
    const layout = layoutGraph(
      ['a', 'b', 'c'],
      [edge('a', 'b', 'df'), edge('b', 'c'), edge('a', 'c', 'model')]
    );
    const ab = layout.edges.find(e => e.to === 'b')!;
    const a = layout.nodes[0];
    const b = layout.nodes[1];
    assert.ok(ab.labelY > a.y + NODE_HEIGHT && ab.labelY < b.y);
    const ac = layout.edges.find(e => e.label === 'model')!;
    assert.ok(ac.labelY > b.y + NODE_HEIGHT, 'clear of the layer it passes');
    assert.match(ab.d, /^M[\d.]+,[\d.]+ C/);
  });

  it('draws one node for a one-stage notebook', () => {
    const layout = layoutGraph(['main'], []);
    assert.equal(layout.nodes.length, 1);
    assert.ok(layout.height >= NODE_HEIGHT);
  });
});

describe('shortLabel', () => {
  it('keeps short labels and cuts long ones with an ellipsis', () => {
    assert.equal(shortLabel('df, n_raw'), 'df, n_raw');
    const long = shortLabel('df, n_raw, n_fixed, features, X, y, scale', 20);
    assert.equal(long.length, 20);
    assert.ok(long.startsWith('df, n_raw') && long.endsWith('…'));
  });
});
