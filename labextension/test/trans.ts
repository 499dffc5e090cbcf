/** A TranslationBundle that returns the English strings, as JupyterLab's nullTranslator does
 * (@jupyterlab/translation itself is an ES module node's test runner cannot require). */

import type { TranslationBundle } from '@jupyterlab/translation';

function format(text: string, args: unknown[]): string {
  return text.replace(/%(\d+)/g, (all, k) =>
    args[k - 1] !== undefined ? String(args[k - 1]) : all
  );
}

const singular = (msgid: string, ...args: unknown[]) => format(msgid, args);
const plural = (one: string, many: string, n: number, ...args: unknown[]) =>
  format(n === 1 ? one : many, [n, ...args]);

export const trans: TranslationBundle = {
  __: singular,
  _n: plural,
  _p: (_ctx: string, msgid: string, ...args: unknown[]) => singular(msgid, ...args),
  _np: (_ctx: string, one: string, many: string, n: number, ...args: unknown[]) =>
    plural(one, many, n, ...args),
  gettext: singular,
  ngettext: plural,
  pgettext: (_ctx: string, msgid: string, ...args: unknown[]) => singular(msgid, ...args),
  npgettext: (_ctx: string, one: string, many: string, n: number, ...args: unknown[]) =>
    plural(one, many, n, ...args),
  dcnpgettext: (
    _d: string,
    _ctx: string,
    one: string,
    many: string,
    n: number,
    ...args: unknown[]
  ) => plural(one, many, n, ...args)
};
