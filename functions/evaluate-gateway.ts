import { app, type InvocationContext, type StorageQueueFunctionOptions } from '@azure/functions';
import { contextLogger } from '../src/app/context-logger';
import { contextTelemetry } from '../src/app/context-telemetry';
import { dequeueCount } from '../src/app/dequeue-count';
import { messagePreview } from '../src/app/message-preview';
import { functionServices } from '../src/app/function-services';
import { DEFAULT_QUEUE_NAME, readQueueName } from '../src/config/functions-settings';
import { processQueuedGateway, readGatewayMessage } from '../src/pipeline/fan-out';

/**
 * Queue: one step of one gateway. A gateway message starts its backend-health operation, a
 * continuation polls it; while it runs, the next continuation is queued (hidden for the operation's
 * Retry-After) and the invocation ends. A step the subscription's ARM quota has no place for is queued
 * again, hidden until its turn. When the body is in, evaluates, notifies on change and delivers its
 * result under its run.
 */
export async function evaluateGateway(message: unknown, context: InvocationContext): Promise<void> {
  const work = readGatewayMessage(message);
  if (!work) {
    // Retrying cannot fix a malformed message: say so and let it go.
    context.error(
      `ignored a malformed message (expected {"version":1,"runId","gatewayId"} or a continuation, version 2): ${messagePreview(message)}`,
    );
    return;
  }
  const { deps, options } = await functionServices(contextLogger(context), contextTelemetry(context));
  const attempt = dequeueCount(context);
  const result = await processQueuedGateway(deps, options, work, { attempt });
  // The operation is running, or its subscription's quota has no place for the step yet: the next
  // message waits out its Retry-After or its turn in the queue, not here.
  if (result.kind !== 'finished') return;
  // A passing failure (throttling, time-out, 5xx, a sink) is thrown after its result was delivered, so
  // the host retries the message and, after its last try (host.json maxDequeueCount), moves it to the
  // poison queue, where recordPoisonedGateway reports it. A lasting one (404, 403) is reported, not retried.
  if (result.retryable) {
    throw new Error(
      `${work.gatewayId}: ${result.processed.report.error?.message ?? 'a sink failed'} (attempt ${attempt})`,
    );
  }
}

export const evaluateGatewayOptions: StorageQueueFunctionOptions = {
  queueName: process.env['APPGW_QUEUE_NAME'] ? '%APPGW_QUEUE_NAME%' : DEFAULT_QUEUE_NAME,
  connection: 'AzureWebJobsStorage',
  handler: evaluateGateway,
};
readQueueName(process.env); // a malformed queue name fails at start-up, naming the setting

app.storageQueue('evaluateGateway', evaluateGatewayOptions);
