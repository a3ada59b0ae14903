import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const ROOT = path.resolve(__dirname, '../../../..');

/**
 * adaptivecards' `lib/` is ES modules (Jest here only transforms our TypeScript), so its UMD build in
 * `dist/` is loaded; the types are the package's own.
 */
const load = createRequire(__filename);
const AdaptiveCards = load('adaptivecards/dist/adaptivecards.min.js') as typeof import('adaptivecards');

/**
 * Parses a card with the Adaptive Cards SDK and returns every parse and validation event
 * (unknown element or action types, bad property values, missing required properties, unsupported version).
 */
export function adaptiveCardProblems(cardJson: unknown): string[] {
  const card = new AdaptiveCards.AdaptiveCard();
  const context = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_5);
  card.parse(cardJson, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${AdaptiveCards.ValidationEvent[event.event]}: ${event.message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    problems.push(`validate: ${AdaptiveCards.ValidationEvent[event.event]}: ${event.message}`);
  }
  return problems;
}

/** The card as the SDK understood it (unknown properties dropped), to compare with what was sent. */
export function adaptiveCardRoundTrip(cardJson: unknown): Record<string, unknown> {
  const card = new AdaptiveCards.AdaptiveCard();
  card.parse(cardJson, new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_5));
  return card.toJSON() as Record<string, unknown>;
}

function compile(file: string): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as object);
}

export const validateSlackMessage = compile('test/fixtures/schemas/slack-incoming-webhook.schema.json');
export const validateCloudEvent = compile('test/fixtures/schemas/cloudevents-1.0-structured.schema.json');
export const validateEventV1 = compile('src/adapters/webhooks/json/event-v1.schema.json');

/** ajv errors as readable lines, for assertion messages. */
export function schemaErrors(validate: ValidateFunction, value: unknown): string[] {
  return validate(value)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
