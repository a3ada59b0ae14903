import path from 'node:path';
import type { WebhookReceiver } from './webhook-receiver';

/**
 * The run config the notify tests share: the folder sink and file state under `tmp`, one JSON webhook
 * `ops` on the loopback receiver (2 tries, 300 ms each), `webhook` fields over those, and `notify` when
 * given.
 */
export function opsWebhookConfig(
  receiver: WebhookReceiver,
  tmp: string,
  webhook: Record<string, unknown> = {},
  notify?: Record<string, unknown>,
) {
  return {
    sinks: {
      dir: path.join(tmp, 'out'),
      webhooks: [
        {
          name: 'ops',
          url: receiver.url('/hook'),
          format: 'json',
          grouping: 'server',
          maxAttempts: 2,
          timeoutInMs: 300,
          ...webhook,
        },
      ],
    },
    state: { dir: path.join(tmp, 'state') },
    // Per-server notices: a gateway whose every server is bad stays per server (inhibition has its tests).
    notify: { inhibit: false, ...notify },
  };
}
