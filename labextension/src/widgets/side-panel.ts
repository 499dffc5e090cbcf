/**
 * What the Pipeline and Experiments panels share: a JupyterLab SidePanel with its title in the
 * header, the notebook it follows under it, and a body the panel renders its model into; the
 * model is active (it reads from the server) only while the panel is shown.
 */

import type { TranslationBundle } from '@jupyterlab/translation';
import { SidePanel } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import type { ISignal } from '@lumino/signaling';
import { Panel, Widget } from '@lumino/widgets';

import { h } from './stages';

/** The model of a side panel, as the panel's frame needs it. */
export interface IPanelModel {
  readonly changed: ISignal<unknown, void>;
  setActive(active: boolean): void;
}

export abstract class NotebookSidePanel extends SidePanel {
  constructor(
    id: string,
    title: string,
    private readonly panelModel: IPanelModel,
    protected readonly trans: TranslationBundle
  ) {
    // A plain panel as content: the default accordion would add a title bar of its own.
    super({ content: new Panel() });
    this.id = id;
    this.addClass('nb2pipe-side-panel');
    this.header.addWidget(
      new Widget({ node: h('h2', { className: 'nb2pipe-title', text: title }) })
    );
    const body = new Widget({ node: this.body });
    body.addClass('nb2pipe-panel');
    this.body.prepend(this.pathLine);
    this.addWidget(body);
    panelModel.changed.connect(this.onModelChanged, this);
  }

  /** The part of the panel under the notebook's path, for the subclass to fill. */
  protected readonly body = h('div', {});

  /** Say which notebook the panel follows, or what to do when it follows none. */
  protected showPath(path: string | null, none: string): void {
    this.pathLine.textContent = path ?? none;
    this.pathLine.title = path ?? '';
  }

  /** Draw the model again (it changed). */
  protected abstract render(): void;

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.panelModel.setActive(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.panelModel.setActive(false);
  }

  dispose(): void {
    this.panelModel.changed.disconnect(this.onModelChanged, this);
    super.dispose();
  }

  private onModelChanged(): void {
    this.render();
  }

  private readonly pathLine = h('div', { className: 'nb2pipe-path' });
}
