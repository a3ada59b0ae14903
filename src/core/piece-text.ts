/**
 * A text too large to hold as one string, read in pieces: the status page of a run of many gateways
 * (tens of MB at 20 000 gateways, issue 14: memory), which the run writes to a temporary file gateway by
 * gateway. Each call of `pieces()` reads it again from its start, so every sink of a run can write it.
 * Reading it may fail (the temporary file is gone): the error is the reader's (the sink's) to report.
 */
export interface PieceText {
  pieces(): AsyncIterable<string>;
}

/** The status page as a sink gets it: one string (small pages, the Functions app's) or in pieces. */
export type PageText = string | PieceText;

/** The whole text as one string (the blob sink without its block uploader: the Functions app). */
export async function joinPieces(text: PageText): Promise<string> {
  if (typeof text === 'string') return text;
  let joined = '';
  for await (const piece of text.pieces()) joined += piece;
  return joined;
}
