/** The ARM expression evaluator the template tests read compiled templates with (arm-template.ts). */
import {
  DeploymentFailure,
  STAND_IN_SUBSCRIPTION_ID,
  Scope,
  Unresolved,
  parseExpression,
  type ArmTemplate,
} from './arm-template';

const template: ArmTemplate = {
  parameters: {
    name: { type: 'string', defaultValue: 'app' },
    empty: { type: 'string', defaultValue: '' },
    names: { type: 'array', defaultValue: ['a', 'b'] },
  },
  variables: {
    token: "[toLower(uniqueString(subscription().id, parameters('name')))]",
    settings: { FIXED: 'x', NAME: "[parameters('name')]", RUNTIME: "[reference('site').properties.x]" },
  },
  resources: [
    {
      type: 'Microsoft.Resources/deployments',
      name: 'child',
      properties: {
        parameters: { inner: { value: "[format('{0}-{1}', parameters('name'), 'x')]" } },
        template: {
          parameters: { inner: { type: 'string' }, other: { type: 'string', defaultValue: 'd' } },
          resources: [],
        },
      },
    },
  ],
};
const scope = Scope.root(template, { name: 'Given' });

describe('ARM expressions', () => {
  it.each([
    ["[format('{0}/{1}', parameters('name'), 'default')]", 'Given/default'],
    ["[concat('a', 'b', 'c')]", 'abc'],
    ["[concat(createArray('a'), parameters('names'))]", ['a', 'a', 'b']],
    ["[if(empty(parameters('empty')), 'none', parameters('empty'))]", 'none'],
    ["[if(not(equals(parameters('name'), 'Given')), 'no', 'yes')]", 'yes'],
    ["[take('abcdef', 3)]", 'abc'],
    ["[length(parameters('names'))]", 2],
    ["[parameters('names')[1]]", 'b'],
    ["[createObject('k', parameters('name')).k]", 'Given'],
    ["[union(createObject('a', '1', 'b', '2'), createObject('b', '3'))]", { a: '1', b: '3' }],
    ["['it''s']", "it's"],
    ['[[not an expression]', '[not an expression]'],
    ['plain', 'plain'],
    ['[subscription().subscriptionId]', STAND_IN_SUBSCRIPTION_ID],
    ["[split('0 */5 * * * *', ' ')[1]]", '*/5'],
    ["[join(skip(split('a b c d', ' '), 2), '-')]", 'c-d'],
    ["[contains('*/5', '/')]", true],
    ["[int(last(split('*/15', '/')))]", 15],
    ['[div(add(mul(2, 60), 59), 60)]', 2],
    ['[min(mul(3, 1000), 2880)]', 2880],
    ['[and(greaterOrEquals(5, 5), less(1, 2), not(greater(1, 2)), lessOrEquals(2, 2))]', true],
    ["[first(filter(createArray(1, 5, 9), lambda('x', greater(lambdaVariables('x'), 3))))]", 5],
    ["[coalesce(first(filter(createArray(1), lambda('x', greater(lambdaVariables('x'), 3)))), 7)]", 7],
    ["[if(true(), 'kept', fail('never evaluated'))]", 'kept'],
  ])('%s', (expression, expected) => {
    expect(scope.evaluate(expression)).toEqual(expected);
  });

  it('what only a deployment knows stays Unresolved, with the text of the smallest expression that needs it', () => {
    expect(scope.variable('settings')).toEqual({
      FIXED: 'x',
      NAME: 'Given',
      RUNTIME: new Unresolved("reference('site').properties.x"),
    });
    expect(scope.evaluate("[format('{0}x', reference('a').b)]")).toEqual(
      new Unresolved("format('{0}x', reference('a').b)"),
    );
    expect(scope.evaluate("[parameters('missing')]")).toEqual(new Unresolved("parameters('missing')"));
  });

  it('stand-ins are stable for the same arguments and differ for others', () => {
    expect(scope.variable('token')).toMatch(/^[0-9a-f]{13}$/);
    expect(scope.variable('token')).toBe(Scope.root(template, { name: 'Given' }).variable('token'));
    expect(scope.variable('token')).not.toBe(Scope.root(template, { name: 'Other' }).variable('token'));
  });

  it("a module's parameters are what its parent passes, else their defaults; copyIndex() inside a loop", () => {
    const child = scope.module('child');
    expect(child.parameter('inner')).toBe('Given-x');
    expect(child.parameter('other')).toBe('d');
    expect(scope.withCopyIndex(1).evaluate("[parameters('names')[copyIndex()]]")).toBe('b');
    expect(scope.evaluate('[copyIndex()]')).toEqual(new Unresolved('copyIndex()'));
  });

  it('fail() and an int() of a non-number stop the deployment, as ARM does', () => {
    expect(() => scope.evaluate("[if(false(), 1, fail('set X'))]")).toThrow(DeploymentFailure);
    expect(() => scope.evaluate("[if(false(), 1, fail('set X'))]")).toThrow('set X');
    expect(() => scope.evaluate("[int('x5')]")).toThrow(DeploymentFailure);
  });

  it("a module argument Bicep writes as one expression (cond ? a : b) is that expression's value", () => {
    const child = Scope.root({
      ...template,
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          name: 'child',
          properties: {
            parameters: {
              inner: "[if(empty(parameters('empty')), createObject('value', 0), createObject('value', 1))]",
            },
            template: { parameters: { inner: { type: 'int' } }, resources: [] },
          },
        },
      ],
    }).module('child');
    expect(child.parameter('inner')).toBe(0);
  });

  it('text that is not an expression is refused', () => {
    expect(() => parseExpression("format('a'")).toThrow();
    expect(() => parseExpression("'unterminated")).toThrow(/unterminated/);
    expect(() => parseExpression("concat('a') extra")).toThrow(/trailing/);
  });
});
