/**
 * Where the workspace's metrics come from, in the Experiments panel: one expandable row per
 * metrics file with its stages, cells (click to go there), parameter values and data hashes.
 */

import type { TranslationBundle } from '@jupyterlab/translation';

import { shownValue } from '../experiments/values';
import type { IMetricSource } from '../types';
import { cellRanges } from './split';
import { h } from './stages';

export function renderProvenance(
  sources: IMetricSource[],
  open: Set<string>,
  revealCell: (index: number) => void,
  trans: TranslationBundle
): HTMLElement {
  const list = h('div', { className: 'nb2pipe-exp-provenance' });
  for (const source of sources) {
    const details = h('details', { className: 'nb2pipe-exp-source' });
    details.dataset.metrics = source.metrics;
    // Open rows stay open when the view renders again (a refresh, a run's progress).
    details.open = open.has(source.metrics);
    details.addEventListener('toggle', () => {
      if (details.open) {
        open.add(source.metrics);
      } else {
        open.delete(source.metrics);
      }
    });
    details.append(
      h('summary', {
        text: trans.__('%1 ← stage %2', source.metrics.split('/').pop() ?? '', source.stage),
        title: source.metrics
      })
    );
    const cells = h('div', {}, h('span', { text: trans.__('cells:') + ' ' }));
    source.cells.forEach((cell, i) => {
      const link = h('button', {
        className: 'nb2pipe-cell-link jp-Button jp-mod-minimal',
        text: cellRanges([cell]),
        title: trans.__('Show this cell')
      });
      link.addEventListener('click', () => revealCell(cell));
      cells.append(link);
      if (i < source.cells.length - 1) {
        cells.append(document.createTextNode(' '));
      }
    });
    details.append(
      h('div', { text: trans.__('stages: %1', source.stages.join(' → ')) }),
      cells,
      h('div', {
        text: trans.__(
          'parameters: %1',
          source.params
            .map(p => `${p.name}=${shownValue(p.value)}${p.recorded ? '' : '?'}`)
            .join(', ') || '–'
        ),
        title: trans.__('the values dvc.lock recorded; ? = not run with these yet')
      })
    );
    const data = h('ul', { className: 'nb2pipe-exp-data' });
    for (const file of source.data) {
      data.append(
        h(
          'li',
          { title: file.md5 ?? trans.__('not run yet') },
          h('span', { className: 'nb2pipe-var', text: file.path }),
          h('code', { text: file.md5 ? file.md5.slice(0, 8) : '–' })
        )
      );
    }
    if (source.data.length > 0) {
      details.append(h('div', { text: trans.__('data:') }), data);
    }
    list.append(details);
  }
  return h(
    'div',
    {},
    h('div', {
      className: 'nb2pipe-heading',
      text: trans.__('Where the workspace’s metrics come from')
    }),
    list
  );
}
