import { endsSentence, sentence } from '../../src/core/sentence';
import {
  ArmUnreachableError,
  BackendHealthUnavailableError,
  StateUnavailableError,
  StatusHistoryUnavailableError,
  TargetListUnavailableError,
} from '../../src/errors';

describe('sentence: a full stop unless the text ends a sentence already', () => {
  it.each<[string, string]>([
    ['it is not the whole resource', 'it is not the whole resource.'],
    ['Retry later.', 'Retry later.'],
    ['is the endpoint ARM?', 'is the endpoint ARM?'],
    ['Stop!', 'Stop!'],
    ['cut in its middle…', 'cut in its middle…'],
    ['Ends with a colon:', 'Ends with a colon:'],
    ['(or the custom role.)', '(or the custom role.)'],
    ['"quoted."', '"quoted."'],
    ['the setting "web"', 'the setting "web".'],
    ['version 1.2', 'version 1.2.'],
    ['', '.'],
  ])('%j', (text, closed) => {
    expect(sentence(text)).toBe(closed);
    expect(endsSentence(closed)).toBe(true);
  });
});

// A break trial: ARM's message ending with a full stop read "… Retry later.. No server is counted …".
describe('our errors quote a detail that ends a sentence without a second full stop', () => {
  const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw';
  it.each<[string, (detail: string) => Error]>([
    ['BackendHealthUnavailableError', (d) => new BackendHealthUnavailableError(id, d)],
    ['TargetListUnavailableError', (d) => new TargetListUnavailableError('/subscriptions/s', d)],
    [
      'ArmUnreachableError',
      (d) => new ArmUnreachableError('https://management.azure.com', d, 'Check arm.endpoint.'),
    ],
    [
      'StateUnavailableError',
      (d) => new StateUnavailableError('state file s/rg/gw.json', d, 'Check state.dir.', { retryable: true }),
    ],
    [
      'StatusHistoryUnavailableError',
      (d) =>
        new StatusHistoryUnavailableError(
          'history file s/rg/gw.json',
          d,
          'Check state.dir.',
          'The page lacks it.',
          { retryable: true },
        ),
    ],
  ])('%s', (_, make) => {
    expect(make('ARM answered 500 InternalServerError: Retry later.').message).toMatch(/Retry later\. [A-Z]/);
    expect(make('no answer within 100 ms').message).toMatch(/within 100 ms\. [A-Z]/);
    expect(make('x.').message).not.toContain('..');
  });
});
