import { app, type InvocationContext, type StorageQueueFunctionOptions } from '@azure/functions';
import { contextLogger } from '../src/app/context-logger';
import { contextTelemetry } from '../src/app/context-telemetry';
import { dequeueCount } from '../src/app/dequeue-count';
import { messagePreview } from '../src/app/message-preview';
import { functionServices } from '../src/app/function-services';
import { DEFAULT_QUEUE_NAME } from '../src/config/functions-settings';
import { readGatewayMessage, recordPoisonedGateway } from '../src/pipeline/fan-out';

/** Poison queue: a gateway the host gave up on is reported as failed in its run, not silently lost. */
export async function recordPoisonedGatewayMessage(
  message: unknown,
  context: InvocationContext,
): Promise<void> {
  const work = readGatewayMessage(message);
  if (!work) {
    context.error(`ignored a malformed poison message: ${messagePreview(message)}`);
    return;
  }
  const { deps } = await functionServices(contextLogger(context), contextTelemetry(context));
  await recordPoisonedGateway(deps, work, { attempt: dequeueCount(context) });
}

export const recordPoisonedGatewayOptions: StorageQueueFunctionOptions = {
  // The Functions convention: the host moves a message here after maxDequeueCount failed tries.
  queueName: process.env['APPGW_QUEUE_NAME'] ? '%APPGW_QUEUE_NAME%-poison' : `${DEFAULT_QUEUE_NAME}-poison`,
  connection: 'AzureWebJobsStorage',
  handler: recordPoisonedGatewayMessage,
};

app.storageQueue('recordPoisonedGateway', recordPoisonedGatewayOptions);
