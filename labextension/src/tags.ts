/**
 * The tag contract of DESIGN.md §2, read and written as plain values (no JupyterLab types), so
 * the rules are unit-tested and the panel, the stripes and the commands agree on them.
 * Mirrors jupyter_pipeline/model/tags.py and analysis/stages.py.
 */

export const STAGE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

const STAGE_PREFIXES = ['stage:', 'block:', 'step:'];
const AFTER_PREFIXES = ['after:', 'prev:'];
const PARAMETERS = ['parameters', 'pipeline-parameters'];
const SKIP = ['skip'];

/** The tags that mark a cell; Kale's aliases are read, nb2pipe's own names are written. */
export type Flag = 'parameters' | 'skip';
const FLAG_ALIASES: Record<Flag, string[]> = { parameters: PARAMETERS, skip: SKIP };

export interface ICellTags {
  type: string;
  tags: readonly string[];
}

/** Where a cell stands in the pipeline, as the analysis will see it. */
export interface ICellRole {
  /** The stage the cell runs in; null for non-code and skip cells, and while nothing is tagged. */
  stage: string | null;
  /** The cell carries the tag that starts its stage. */
  starts: boolean;
  parameters: boolean;
  skip: boolean;
}

/** A cell whose tags must change, and to what. */
export interface ITagEdit {
  index: number;
  tags: string[];
}

/** Why `name` cannot be a stage name, or null when it can. */
export function stageNameProblem(name: string): string | null {
  if (name === '') {
    return 'type a stage name';
  }
  if (!STAGE_NAME.test(name)) {
    return (
      'use lowercase letters, digits, "_" and "-", starting with a letter or digit ' +
      `(for example "${suggestName(name)}")`
    );
  }
  return null;
}

/** A valid stage name close to `name` (as nb2pipe's suggest_name does). */
export function suggestName(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return slug || 'stage';
}

function stagePrefixOf(tag: string): string | undefined {
  return STAGE_PREFIXES.find(p => tag.startsWith(p));
}

/** The stage this cell's own tags start (the first valid one), or null. */
export function stageTagOf(tags: readonly string[]): string | null {
  for (const tag of tags) {
    const prefix = stagePrefixOf(tag);
    if (prefix !== undefined && STAGE_NAME.test(tag.slice(prefix.length))) {
      return tag.slice(prefix.length);
    }
  }
  return null;
}

export function hasFlag(tags: readonly string[], flag: Flag): boolean {
  return tags.some(t => FLAG_ALIASES[flag].includes(t));
}

/** `tags` with every stage-starting tag replaced by `stage:NAME` (removed for null), in place. */
export function withStageTag(tags: readonly string[], stage: string | null): string[] {
  const kept = tags.filter(t => stagePrefixOf(t) === undefined);
  if (stage === null) {
    return kept;
  }
  const at = tags.findIndex(t => stagePrefixOf(t) !== undefined);
  const tag = `stage:${stage}`;
  return at < 0 ? [...kept, tag] : [...kept.slice(0, at), tag, ...kept.slice(at)];
}

/**
 * Each cell's stage: a stage tag starts a stage, following untagged code cells belong to it, code
 * cells before the first stage tag belong to the first stage, skip cells to none.
 */
export function cellRoles(cells: readonly ICellTags[]): ICellRole[] {
  let current: string | null = null;
  let first: string | null = null;
  const roles: ICellRole[] = cells.map(cell => {
    const parameters = hasFlag(cell.tags, 'parameters');
    const skip = hasFlag(cell.tags, 'skip');
    if (cell.type !== 'code') {
      return { stage: null, starts: false, parameters: false, skip: false };
    }
    const own = stageTagOf(cell.tags);
    const starts = own !== null && own !== current;
    if (own !== null) {
      current = own;
      first = first ?? own;
    }
    return { stage: skip ? null : current, starts, parameters, skip };
  });
  cells.forEach((cell, i) => {
    if (cell.type === 'code' && !roles[i].skip && roles[i].stage === null) {
      roles[i].stage = first;
    }
  });
  return roles;
}

/** The stage names in notebook order. */
export function stageNames(cells: readonly ICellTags[]): string[] {
  const names: string[] = [];
  for (const role of cellRoles(cells)) {
    if (role.stage !== null && !names.includes(role.stage)) {
      names.push(role.stage);
    }
  }
  return names;
}

/** The stages in notebook order with their cells, as the tags say (the analysis may refuse). */
export function stageCells(cells: readonly ICellTags[]): { name: string; cells: number[] }[] {
  const stages = new Map<string, number[]>();
  cellRoles(cells).forEach((role, index) => {
    if (role.stage !== null) {
      stages.set(role.stage, [...(stages.get(role.stage) ?? []), index]);
    }
  });
  return [...stages].map(([name, members]) => ({ name, cells: members }));
}

/** Where the stage `name` starts (the cell with its tag), or -1. */
function startOf(cells: readonly ICellTags[], name: string): number {
  return cells.findIndex(c => c.type === 'code' && stageTagOf(c.tags) === name);
}

/**
 * Put the selected code cells into stage `name`: the first gets `stage:NAME`, the others lose
 * their stage tags so that they follow it. The code cell after the selection follows too, unless
 * the selection took away the tag that started its stage: then it gets that tag back, so the rest
 * of that stage stays what the user saw. (Tagging it whenever its stage changes would split a
 * stage in two runs of cells, which the analysis rejects.)
 */
export function assignStage(
  cells: readonly ICellTags[],
  selected: readonly number[],
  name: string
): ITagEdit[] {
  const code = [...new Set(selected)].filter(i => cells[i]?.type === 'code').sort((a, b) => a - b);
  if (code.length === 0) {
    return [];
  }
  const before = cellRoles(cells);
  const head = code.find(i => !hasFlag(cells[i].tags, 'skip')) ?? code[0];
  const last = code[code.length - 1];
  const tags = cells.map(c => [...c.tags]);
  for (const i of code) {
    tags[i] = withStageTag(tags[i], i === head ? name : null);
  }
  const next = cells.findIndex((c, i) => i > last && c.type === 'code' && !hasFlag(c.tags, 'skip'));
  if (next >= 0) {
    const own = stageTagOf(cells[next].tags);
    const old = before[next].stage;
    if (own === name) {
      tags[next] = withStageTag(tags[next], null);
    } else if (own === null && old !== null && old !== name) {
      const start = startOf(cells, old);
      if (start >= head && start <= last) {
        tags[next] = withStageTag(tags[next], old);
      }
    }
  }
  return changed(cells, tags);
}

/**
 * Rename stage `from` to `to` on every cell (its stage tags, Kale aliases included, and the
 * `after:` tags naming it). A stage no tag names (the notebook's only, implicit stage) gets a
 * tag on its first code cell.
 */
export function renameStage(cells: readonly ICellTags[], from: string, to: string): ITagEdit[] {
  const tags = cells.map(c =>
    c.tags.map(t => {
      const prefix = [...STAGE_PREFIXES, ...AFTER_PREFIXES].find(p => t.startsWith(p));
      if (prefix === undefined || t.slice(prefix.length) !== from) {
        return t;
      }
      return AFTER_PREFIXES.includes(prefix) ? `after:${to}` : `stage:${to}`;
    })
  );
  if (startOf(cells, from) < 0) {
    const roles = cellRoles(cells);
    const first = roles.findIndex(r => r.stage === from);
    const untagged = stageNames(cells).length === 0;
    const target = untagged ? cells.findIndex(c => c.type === 'code') : first;
    if (target >= 0) {
      tags[target] = withStageTag(tags[target], to);
    }
  }
  return changed(
    cells,
    tags.map(t => [...new Set(t)])
  );
}

/**
 * Mark the selected code cells `parameters` or `skip`, or unmark them when every one of them
 * already has it (so the button toggles what the user selected as a whole).
 */
export function toggleFlag(
  cells: readonly ICellTags[],
  selected: readonly number[],
  flag: Flag
): ITagEdit[] {
  const code = selected.filter(i => cells[i]?.type === 'code');
  if (code.length === 0) {
    return [];
  }
  const unmark = code.every(i => hasFlag(cells[i].tags, flag));
  const tags = cells.map(c => [...c.tags]);
  for (const i of code) {
    const without = tags[i].filter(t => !FLAG_ALIASES[flag].includes(t));
    tags[i] = unmark ? without : [...without, flag];
  }
  return changed(cells, tags);
}

function changed(cells: readonly ICellTags[], tags: string[][]): ITagEdit[] {
  const edits: ITagEdit[] = [];
  tags.forEach((t, index) => {
    const old = cells[index].tags;
    if (t.length !== old.length || t.some((tag, k) => tag !== old[k])) {
      edits.push({ index, tags: t });
    }
  });
  return edits;
}

/** The cells stage `name` will hold once the selection is assigned to it (nothing written). */
export function assignmentCovers(
  cells: readonly ICellTags[],
  selected: readonly number[],
  name: string
): number[] {
  const after = cells.map(c => ({ type: c.type, tags: [...c.tags] }));
  for (const { index, tags } of assignStage(cells, selected, name)) {
    after[index].tags = tags;
  }
  const covered: number[] = [];
  cellRoles(after).forEach((role, index) => {
    if (role.stage === name) {
      covered.push(index);
    }
  });
  return covered;
}

/** The stage notebook nb2pipe generated (or its executed copy) that `metadata` belongs to:
 * tagging or exporting it would build a pipeline inside the pipeline. */
export interface IGeneratedStage {
  notebook: string;
  stage: string;
}

export function generatedStage(metadata: unknown): IGeneratedStage | null {
  const mark = (metadata as { nb2pipe?: unknown } | null)?.nb2pipe as
    { notebook?: unknown; stage?: unknown } | undefined;
  if (!mark || typeof mark !== 'object' || typeof mark.stage !== 'string') {
    return null;
  }
  const notebook = typeof mark.notebook === 'string' ? mark.notebook : 'the source notebook';
  return { notebook, stage: mark.stage };
}

export function generatedStageMessage(found: IGeneratedStage, action: string): string {
  return (
    `This is the notebook of stage '${found.stage}' that nb2pipe generated from ` +
    `'${found.notebook}': open '${found.notebook}' to ${action} (edits here are replaced by ` +
    'the next export).'
  );
}
