import { compileTemplate } from '../../src/core/probe-template';

describe('compileTemplate', () => {
  it.each<[string, string, boolean]>([
    ['the backend certificate is invalid', 'the backend certificate is invalid', true],
    ['the backend certificate is invalid', 'xthe backend certificate is invalid', false],
    ['the backend certificate is invalid', 'the backend certificate is invalidated', false],
    ['the backend certificate is invalid', 'see: the  backend certificate is invalid.', true],
    ["body of the backend['s] http response", 'body of the backend http response', true],
    ["body of the backend['s] http response", "body of the backend's http response", true],
    ["body of the backend['s] http response", 'body of the backends http response', true],
    ['[the] backend server certificate', 'backend server certificate', true],
    ['the common name [(cn)] of', 'the common name (cn) of', true],
    ['the common name [(cn)] of', 'the common name of', true],
    ['probe status code mismatch<.|:> received', 'probe status code mismatch: received', true],
    ['probe status code mismatch<.|:> received', 'probe status code mismatch. received', true],
    ['probe status code mismatch<.|:> received', 'probe status code mismatch received', true],
    ['invalid certificate - invalid cn', 'invalid certificate-invalid cn', true],
    ['invalid certificate - invalid cn', 'invalid certificate invalid cn', true],
    ['well-known', 'well known', true],
    ['expected: {x} received: {status}', 'expected:200-399 received:404', true],
    ['nsg/udr/firewall', 'nsg/udr/firewall', true],
    ['(a+b)?', '(a+b)?', true],
  ])('%j matches %j: %s', (template, text, matches) => {
    expect(compileTemplate(template).test(text)).toBe(matches);
  });

  it('captures a three-digit status in {status} and nothing else', () => {
    const pattern = compileTemplate('received invalid status code: {status}');
    expect(pattern.exec('received invalid status code: 404 in the backend')?.groups?.['status']).toBe('404');
    expect(pattern.test('received invalid status code: {httpstatuscode1}')).toBe(false);
    expect(pattern.test('received invalid status code: 4040')).toBe(false);
  });

  it('matches a whole frame only as the whole message, final periods allowed', () => {
    const whole = compileTemplate('success', { whole: true });
    expect(['success', 'success.', ' success. ', 'success..'].every((t) => whole.test(t))).toBe(true);
    expect(['success but not really', 'a success'].some((t) => whole.test(t))).toBe(false);
  });

  it('refuses an unclosed hole', () => {
    expect(() => compileTemplate('received {status')).toThrow(/unclosed hole/);
  });
});
