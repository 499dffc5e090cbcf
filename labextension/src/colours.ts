/**
 * One colour per stage, stable across sessions: the stage name's hash picks a slot of the
 * palette (style/base.css defines --nb2pipe-stage-colour-0..N-1 for light and dark themes), and
 * a later stage whose slot is taken moves to the next free one, so the stages on screen never
 * share a colour while the palette lasts.
 */

export const PALETTE_SIZE = 10;

/** FNV-1a: small, fast and well spread for short names. */
export function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Palette slot per stage name, for the stages in notebook order. */
export function stageColours(names: readonly string[]): Map<string, number> {
  const slots = new Map<string, number>();
  const used = new Set<number>();
  for (const name of names) {
    if (slots.has(name)) {
      continue;
    }
    let slot = nameHash(name) % PALETTE_SIZE;
    for (let k = 0; k < PALETTE_SIZE && used.has(slot); k++) {
      slot = (slot + 1) % PALETTE_SIZE;
    }
    used.add(slot);
    slots.set(name, slot);
  }
  return slots;
}

export function colourVariable(slot: number): string {
  return `var(--nb2pipe-stage-colour-${slot})`;
}
