/**
 * The panel's part for a notebook without stage tags: it says so and offers "Split at headings",
 * showing the stages the split makes (the server's analysis at that level) before any tag is
 * written.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';

import { cellSources, splitLevel } from '../headings';
import { CommandIds } from '../ids';
import type { PipelineModel } from '../model';
import { h } from './stages';

/** "cells 4–8, 10": cell indices shown as the numbers JupyterLab shows (1-based). */
export function cellRanges(indices: readonly number[]): string {
  const parts: string[] = [];
  let start = -1;
  let prev = -2;
  for (const i of [...indices.map(index => index + 1), -9]) {
    if (i !== prev + 1) {
      if (start >= 0) {
        parts.push(start === prev ? String(start) : `${start}–${prev}`);
      }
      start = i;
    }
    prev = i;
  }
  return parts.join(', ');
}

export function renderNoStages(
  model: PipelineModel,
  commands: CommandRegistry,
  trans: TranslationBundle
): HTMLElement {
  const box = h(
    'div',
    { className: 'nb2pipe-no-stages' },
    h('div', {
      className: 'nb2pipe-message',
      text: trans.__(
        'No stages yet: the whole notebook would be one stage. Split it at its headings, or select cells and assign them to a stage.'
      )
    })
  );
  const split = model.split;
  const level = split?.level ?? splitLevel(cellSources(model.source?.toJSON()));
  if (level === null) {
    box.appendChild(
      h('div', {
        className: 'nb2pipe-hint-text',
        text: trans.__('Add markdown headings (## Load data) above the cells to split at them.')
      })
    );
    return box;
  }
  if (!split) {
    const button = h('button', {
      className: 'nb2pipe-split jp-Button jp-mod-styled jp-mod-accept',
      text: trans.__('Split at headings…'),
      title: trans.__('Show the stages a split at the level-%1 headings makes', level)
    });
    button.addEventListener('click', () => void model.previewSplit(level));
    box.appendChild(button);
    return box;
  }
  const preview = h('div', { className: 'nb2pipe-split-preview' });
  preview.dataset.level = String(split.level);
  const choose = h('select', { className: 'nb2pipe-split-level jp-mod-styled' });
  choose.setAttribute('aria-label', trans.__('Heading level'));
  for (let n = 1; n <= 6; n++) {
    const option = h('option', { text: `${'#'.repeat(n)} ${trans.__('level %1', n)}` });
    option.value = String(n);
    option.selected = n === split.level;
    choose.appendChild(option);
  }
  choose.addEventListener('change', () => void model.previewSplit(Number(choose.value)));
  preview.appendChild(
    h(
      'div',
      { className: 'nb2pipe-row' },
      h('span', { text: trans.__('Split at headings of') }),
      choose
    )
  );
  const list = h('ol', { className: 'nb2pipe-split-stages' });
  for (const stage of split.analysis.stages) {
    const item = h(
      'li',
      { className: 'nb2pipe-split-stage' },
      h('span', { className: 'nb2pipe-stage-title', text: stage.name }),
      h('span', {
        className: 'nb2pipe-split-cells',
        text: trans.__('cells %1', cellRanges(stage.cells))
      })
    );
    item.dataset.stage = stage.name;
    list.appendChild(item);
  }
  preview.appendChild(list);
  const apply = h('button', {
    className: 'nb2pipe-split-apply jp-Button jp-mod-styled jp-mod-accept',
    text: trans.__('Split into %1 stages', split.analysis.stages.length),
    title: trans.__('Tag the first cell of each section (as nb2pipe tag --by-headings)')
  });
  apply.disabled = split.analysis.stages.length < 2;
  apply.addEventListener(
    'click',
    () => void commands.execute(CommandIds.splitAtHeadings, { level: split.level })
  );
  const cancel = h('button', {
    className: 'nb2pipe-split-cancel jp-Button jp-mod-styled',
    text: trans.__('Cancel')
  });
  cancel.addEventListener('click', () => model.cancelSplit());
  preview.appendChild(h('div', { className: 'nb2pipe-row' }, apply, cancel));
  box.appendChild(preview);
  return box;
}
