/**
 * A file system failure in words for a message that names the file itself: Node's text without the
 * call and path it appends ("ENOENT: no such file or directory, open '/x'" → "ENOENT: no such file or
 * directory"), its code put first when the text lacks it. Read by shape: an error of another realm (a
 * test sandbox) is not `instanceof Error`; anything else is said as `String(error)`.
 */
export function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const said = (error as { message?: unknown } | undefined)?.message;
  const text = (typeof said === 'string' ? said : String(error)).replace(/, \w+ '.*'$/su, '');
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}
