import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { nameHash, PALETTE_SIZE, stageColours } from '../src/colours';

describe('stage colours', () => {
  it('gives a name the same colour in every notebook and session', () => {
    assert.equal(nameHash('train'), nameHash('train'));
    assert.notEqual(nameHash('train'), nameHash('trains'));
    const alone = stageColours(['train']).get('train');
    assert.equal(alone, nameHash('train') % PALETTE_SIZE);
    assert.notEqual(nameHash('load') % PALETTE_SIZE, alone, 'the two names do not collide');
    assert.equal(stageColours(['load', 'train']).get('train'), alone);
    assert.equal(stageColours(['train', 'load', 'evaluate']).get('train'), alone);
  });

  it('never gives two stages on screen the same colour while the palette lasts', () => {
    const names = Array.from({ length: PALETTE_SIZE }, (_, i) => `stage-${i}`);
    const slots = stageColours(names);
    assert.equal(new Set(slots.values()).size, PALETTE_SIZE);
    for (const slot of slots.values()) {
      assert.ok(slot >= 0 && slot < PALETTE_SIZE);
    }
  });

  it('moves only the later of two names whose hash collides', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];
    const first = names[0];
    const clash = names.find(
      n => n !== first && nameHash(n) % PALETTE_SIZE === nameHash(first) % PALETTE_SIZE
    )!;
    assert.ok(clash, 'some short name collides with "a"');
    const slots = stageColours([first, clash]);
    assert.equal(slots.get(first), nameHash(first) % PALETTE_SIZE);
    assert.equal(slots.get(clash), ((nameHash(first) % PALETTE_SIZE) + 1) % PALETTE_SIZE);
  });
});
