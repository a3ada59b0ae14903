import { receiverConfigName, receiverKey } from '../../../src/core/notice/receiver-name';

describe("a receiver's two names", () => {
  it.each([
    ['ops', 'ops'],
    ['webhook[ops]', 'ops'],
    ['webhook[team [a]]', 'team [a]'],
    ['webhook[]', 'webhook[]'],
    ['my-webhook[x', 'my-webhook[x'],
  ])('%p → configuration name %p', (name, configName) => {
    expect(receiverConfigName(name)).toBe(configName);
  });

  it('the key and the configuration name round-trip', () => {
    for (const name of ['ops', 'team [a]', 'webhook[x]'])
      expect(receiverConfigName(receiverKey(name))).toBe(name);
  });
});
