import type { StorageHttp } from './storage-http';

/** One storage queue: the two Queue operations the app uses. */
export interface StorageQueue {
  readonly name: string;
  /** Creates the queue; succeeds when it exists already (with any metadata). */
  createIfNotExists(): Promise<void>;
  /** Put Message: `text` as given (the caller encodes it, e.g. base64 for the Functions trigger). */
  sendMessage(text: string): Promise<void>;
}

/** Queue Storage over `http` (one account's queue endpoint). */
export function createStorageQueue(http: StorageHttp, name: string): StorageQueue {
  const queue = encodeURIComponent(name);
  return {
    name,
    async createIfNotExists() {
      // 201 created, 204 exists with the same metadata, 409 QueueAlreadyExists with other metadata.
      const answer = await http.send({ method: 'PUT', path: queue, accept: [409] });
      if (answer.status === 409 && answer.header('x-ms-error-code') !== 'QueueAlreadyExists') {
        await http.send({ method: 'PUT', path: queue }); // throws its error
      }
    },
    async sendMessage(text) {
      const body = `<?xml version="1.0" encoding="utf-8"?><QueueMessage><MessageText>${escapeXml(text)}</MessageText></QueueMessage>`;
      await http.send({
        method: 'POST',
        path: `${queue}/messages`,
        headers: { 'content-type': 'application/xml; charset=utf-8' },
        body: Buffer.from(body, 'utf8'),
      });
    },
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
