/**
 * The live analysis of the notebook being edited: sent after a quiet time (typing sends one
 * request, not one per key), content already sent not sent again, and an answer older than one
 * already shown dropped. No DOM; the owner gets each answer to show.
 */

import type { INb2PipeApi } from './api';
import { messageOf } from './messages';
import type { INotebookSource } from './model';
import type { IAnalysis } from './types';

export class LiveAnalysis {
  /**
   * `current` is the notebook followed now: an answer for another one is dropped. `onAnswer`
   * and `onError` receive what is to be shown.
   */
  constructor(
    private readonly api: INb2PipeApi,
    private readonly current: () => INotebookSource | null,
    private readonly onAnswer: (analysis: IAnalysis) => void,
    private readonly onError: (message: string) => void
  ) {}

  /** Quiet time after the last edit before the notebook is analysed again. */
  debounceMs = 150;

  /** Analyse after `debounceMs` of quiet. */
  schedule(): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.now(false);
    }, this.debounceMs);
  }

  /** Send the live notebook now; unless `always`, content already sent is not sent again
   * (running a cell changes only outputs, which are not sent). */
  async now(always = true): Promise<void> {
    const source = this.current();
    if (source === null) {
      return;
    }
    this.cancel();
    const notebook = source.toJSON();
    const key = JSON.stringify([source.path, notebook]);
    if (!always && key === this.sentKey) {
      return;
    }
    this.sentKey = key;
    const seq = ++this.sent;
    try {
      const analysis = await this.api.analyze({ path: source.path, notebook });
      if (source === this.current() && seq >= this.shown) {
        this.shown = seq;
        this.onAnswer(analysis);
      }
    } catch (error) {
      if (source === this.current() && seq >= this.shown) {
        this.shown = seq;
        this.sentKey = ''; // the next edit tries again
        this.onError(messageOf(error));
      }
    }
  }

  /** Another notebook is followed: whatever it holds is sent at the next request. */
  reset(): void {
    this.cancel();
    this.sentKey = '';
  }

  cancel(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private timer: ReturnType<typeof setTimeout> | null = null;
  private sent = 0;
  private shown = 0;
  private sentKey = '';
}
