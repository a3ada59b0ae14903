/**
 * Closing a sentence whose end is someone else's words (ARM's message, a file system's reason). Pure.
 */

/** Whether `text` already ends a sentence: `.`, `!`, `?`, `…` or `:`, then any closing quotes or brackets. */
export function endsSentence(text: string): boolean {
  return /[.!?…:]["'”’)\]]*\s*$/.test(text);
}

/**
 * `text` closed with a full stop, unless it already ends a sentence (endsSentence): "… Retry later.. No
 * server is counted …" when ARM's message ended with one (a break trial), "… not the whole resource"
 * closing a paragraph with none (a new-user trial).
 */
export function sentence(text: string): string {
  return endsSentence(text) ? text : `${text}.`;
}
