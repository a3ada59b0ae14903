/**
 * The deployment templates (infra/*.bicep, azure.yaml) read as text: no Bicep compiler here, so these
 * pin what matters with small line scans. The main checks are functions returning their problems: the
 * real files must give none, and a deliberately broken copy must give some (a check that cannot fail
 * proves nothing).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { APP_SETTINGS, STORAGE_SETTINGS, configFromAppSettings } from '../../src/config/app-settings';
import { DEFAULT_QUEUE_NAME, readQueueName } from '../../src/config/functions-settings';
import { DEFAULT_SCHEDULE } from '../../src/config/schedule';

const root = path.resolve(__dirname, '../..');
const read = (rel: string) => readFileSync(path.join(root, rel), 'utf8');

const bicepFiles = [
  'infra/main.bicep',
  ...readdirSync(path.join(root, 'infra/app')).map((f) => `infra/app/${f}`),
]
  .filter((f) => f.endsWith('.bicep'))
  .map((file) => ({ file, text: stripComments(read(file)) }));
const bicep = (file: string) => {
  const found = bicepFiles.find((f) => f.file === file);
  if (!found) throw new Error(`${file} is missing`);
  return found.text;
};

// ---------------------------------------------------------------- tiny Bicep reader

/** Drops `// …` comments; a `//` inside a URL follows ':' and is kept. */
function stripComments(text: string): string {
  return text.replace(/(^|[^:])\/\/.*$/gm, '$1').replace(/[ \t]+$/gm, '');
}

interface Declaration {
  kind: 'resource' | 'module';
  symbol: string;
  type: string;
  header: string;
  body: string;
}

/** Top-level `resource`/`module` declarations (`= {` or a `= [ for … ]` loop); a body ends at the first
 * `}` or `]` in column 0. */
function declarations(text: string): Declaration[] {
  const re = /^(resource|module) (\w+) '([^']+)'([^\n]*)[{[]\n([\s\S]*?)^[}\]]/gm;
  return [...text.matchAll(re)].map((m) => ({
    kind: m[1] as Declaration['kind'],
    symbol: m[2] as string,
    type: m[3] as string,
    header: m[4] as string,
    body: m[5] as string,
  }));
}

function ofType(text: string, typePrefix: string): Declaration[] {
  return declarations(text).filter((d) => d.type.startsWith(typePrefix));
}

/** Quoted items of `key: [ … ]` (multi-line or inline); undefined when the key is absent. */
function stringList(body: string, key: string): string[] | undefined {
  const m = new RegExp(`^\\s*${key}: \\[([^\\]]*)\\]`, 'm').exec(body);
  return m ? [...(m[1] as string).matchAll(/'([^']*)'/g)].map((x) => x[1] as string) : undefined;
}

/** `key: value` entries of a top-level `var name = { … }` object (value as written). */
function varObject(text: string, name: string): Map<string, string> {
  const m = new RegExp(`^var ${name} = \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(text);
  if (!m) throw new Error(`var ${name} not found`);
  return new Map(
    [...(m[1] as string).matchAll(/^\s+([\w]+): (.+?)\s*$/gm)].map((x) => [x[1] as string, x[2] as string]),
  );
}

/** The value of a `var name = …` or of a `param name type = …` default, as written. */
function declared(text: string, name: string): string | undefined {
  return new RegExp(`^(?:var ${name}|param ${name} \\w+) = (.+)$`, 'm').exec(text)?.[1]?.trim();
}

const literal = (value: string | undefined) => /^'([^'$]*)'$/.exec(value ?? '')?.[1];

// ---------------------------------------------------------------- the checks

const BACKEND_HEALTH_ACTIONS = [
  'Microsoft.Network/applicationGateways/read',
  'Microsoft.Network/applicationGateways/backendhealth/action',
];

function customRoleProblems(text: string): string[] {
  const roles = ofType(text, 'Microsoft.Authorization/roleDefinitions@');
  if (roles.length !== 1) return [`expected one role definition, found ${roles.length}`];
  const body = (roles[0] as Declaration).body;
  const problems: string[] = [];
  const actions = stringList(body, 'actions');
  if (JSON.stringify(actions) !== JSON.stringify(BACKEND_HEALTH_ACTIONS))
    problems.push(`actions are ${JSON.stringify(actions)}`);
  for (const key of ['notActions', 'dataActions', 'notDataActions'])
    if (JSON.stringify(stringList(body, key)) !== '[]') problems.push(`${key} is not []`);
  if (/\*/.test(body)) problems.push('a wildcard');
  if (!/type: 'customRole'/.test(body)) problems.push("type is not 'customRole'");
  if (!/assignableScopes: \[\s*subscription\(\)\.id\s*\]/.test(body))
    problems.push('assignableScopes is not [subscription().id]');
  return problems;
}

/** Every role assignment goes to a function app's system-assigned identity, as a service principal. */
function assignmentProblems(text: string): string[] {
  const sites = new Set(ofType(text, 'Microsoft.Web/sites@').map((d) => d.symbol));
  return ofType(text, 'Microsoft.Authorization/roleAssignments@').flatMap((a) => {
    const principal = /^\s*principalId: (\w+)\.identity\.principalId$/m.exec(a.body)?.[1];
    return [
      ...(principal && sites.has(principal)
        ? []
        : [`${a.symbol}: principalId is not <site>.identity.principalId`]),
      ...(/^\s*principalType: 'ServicePrincipal'$/m.test(a.body) ? [] : [`${a.symbol}: principalType`]),
    ];
  });
}

const knownSettings = new Set<string>([
  ...APP_SETTINGS.map((s) => s.name),
  ...STORAGE_SETTINGS,
  'APPGW_SCHEDULE', // src/config/schedule.ts
  'APPGW_QUEUE_NAME', // the queue trigger's %APPGW_QUEUE_NAME%
]);

/** Every APPGW_* name written anywhere in the templates is one the code reads (no typos). */
function unknownSettingNames(text: string): string[] {
  return [...new Set(text.match(/\bAPPGW_[A-Z0-9_]+/g) ?? [])].filter((n) => !knownSettings.has(n));
}

const functionAppText = bicep('infra/app/function-app.bicep');
const mainText = bicep('infra/main.bicep');

/** The site's app settings: every var object merged into the 'appsettings' config resource. */
function appSettings(text: string): Map<string, string> {
  const config = ofType(text, 'Microsoft.Web/sites/config@').find((d) => /name: 'appsettings'/.test(d.body));
  const merged = /properties: union\(([^)]*)\)/.exec(config?.body ?? '')?.[1];
  if (!merged) throw new Error('no appsettings config resource with properties: union(…)');
  const vars = merged.split(',').map((s) => s.trim());
  return new Map(
    vars.filter((v) => new RegExp(`^var ${v} = \\{`, 'm').test(text)).flatMap((v) => [...varObject(text, v)]),
  );
}

/** What main.bicep passes for a function-app.bicep parameter, as written. */
function argumentFromMain(param: string): string | undefined {
  const module = declarations(mainText).find((d) => d.type === './app/function-app.bicep');
  return new RegExp(`^\\s+${param}: (.+)$`, 'm').exec(module?.body ?? '')?.[1]?.trim();
}

/** The same, followed to main.bicep's var (or parameter default) when the argument is a name. */
function valueFromMain(param: string): string | undefined {
  const argument = argumentFromMain(param);
  return argument && /^[A-Za-z]\w*$/.test(argument) ? (declared(mainText, argument) ?? argument) : argument;
}

// ---------------------------------------------------------------- tests

describe('least privilege for Resource Manager: the custom role', () => {
  const roleText = bicep('infra/app/backend-health-reader-role.bicep');

  it('grants exactly applicationGateways/read and backendhealth/action, no data actions, no wildcard', () => {
    expect(customRoleProblems(roleText)).toEqual([]);
    expect(declared(roleText, 'roleName')).toBe("'App Gateway Backend Health Reader'");
  });

  it('a broader role is caught', () => {
    const broader = roleText.replace(
      "'Microsoft.Network/applicationGateways/read'",
      "'Microsoft.Network/applicationGateways/read'\n          'Microsoft.Network/*/read'",
    );
    expect(customRoleProblems(broader)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^actions are/)]),
    );
    expect(customRoleProblems(roleText.replace('dataActions: []', "dataActions: ['x']"))).not.toEqual([]);
  });

  it('is defined at subscription scope and assigned at the monitored scope: subscription, or one resource group', () => {
    expect(roleText).toMatch(/^targetScope = 'subscription'$/m);
    const [subscriptionAssignment] = ofType(roleText, 'Microsoft.Authorization/roleAssignments@');
    expect(subscriptionAssignment?.header).toContain("if (monitoredScope == 'subscription')");
    expect(subscriptionAssignment?.body).toMatch(/roleDefinitionId: backendHealthReader\.id$/m);
    expect(subscriptionAssignment?.body).not.toMatch(/^\s*scope:/m); // at the deployment's scope: the subscription

    const rgModule = declarations(roleText).find(
      (d) => d.type === './backend-health-reader-assignment.bicep',
    );
    expect(rgModule?.header).toContain("if (monitoredScope == 'resourceGroup')");
    expect(rgModule?.body).toMatch(
      /scope: resourceGroup\(monitoredScope == 'resourceGroup' \? monitoredResourceGroup : /m,
    );
    expect(rgModule?.body).toMatch(/roleDefinitionId: backendHealthReader\.id$/m);
    const rgText = bicep('infra/app/backend-health-reader-assignment.bicep');
    expect(ofType(rgText, 'Microsoft.Authorization/roleAssignments@')[0]?.body).toMatch(
      /roleDefinitionId: roleDefinitionId$/m,
    );

    for (const text of [roleText, mainText]) {
      expect(text).toMatch(
        /@allowed\(\['subscription', 'resourceGroup'\]\)\nparam monitoredScope string = 'subscription'/,
      );
    }
    expect(mainText).toMatch(/^targetScope = 'subscription'$/m);
  });
});

describe("every role assignment goes to the function app's system-assigned identity", () => {
  it.each(bicepFiles.filter((f) => /roleAssignments@/.test(f.text)).map((f) => [f.file, f.text]))(
    '%s',
    (_file, text) => {
      expect(ofType(text, 'Microsoft.Authorization/roleAssignments@').length).toBeGreaterThan(0);
      expect(assignmentProblems(text)).toEqual([]);
    },
  );

  it('covers the three files that assign roles, and a wrong principal is caught', () => {
    expect(
      bicepFiles
        .filter((f) => /roleAssignments@/.test(f.text))
        .map((f) => f.file)
        .sort(),
    ).toEqual([
      'infra/app/backend-health-reader-assignment.bicep',
      'infra/app/backend-health-reader-role.bicep',
      'infra/app/rbac.bicep',
    ]);
    const rbac = bicep('infra/app/rbac.bicep');
    expect(
      assignmentProblems(rbac.replace('functionApp.identity.principalId', 'deployer().objectId')),
    ).not.toEqual([]);
    expect(
      assignmentProblems(rbac.replace("principalType: 'ServicePrincipal'", "principalType: 'User'")),
    ).not.toEqual([]);
  });

  it('the site has a system-assigned identity', () => {
    const [site] = ofType(functionAppText, 'Microsoft.Web/sites@');
    expect(site?.body).toMatch(/identity: \{\n\s+type: 'SystemAssigned'\n/);
  });
});

describe('storage data roles (built-in role definition ids)', () => {
  // Ids as in Azure-Samples/azure-functions-flex-consumption-samples IaC/bicep/rbac.bicep and the Azure
  // built-in roles reference; the same in every tenant.
  const builtIn: Record<string, [id: string, scope: string]> = {
    storageBlobDataOwner: ['b7e6dc6d-f1e8-4753-8033-0f276bb0955b', 'storage'],
    storageQueueDataContributor: ['974c5e8b-45b9-4653-ba55-5f855dd0fb88', 'storage'],
    storageTableDataContributor: ['0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', 'storage'],
    monitoringMetricsPublisher: ['3913510d-42f4-4e42-8a64-420c390055eb', 'applicationInsights'],
  };
  const rbac = bicep('infra/app/rbac.bicep');

  it.each(Object.entries(builtIn))('%s is assigned on its resource', (role, [id, scope]) => {
    expect(varObject(rbac, 'roles').get(role)).toBe(`'${id}'`);
    const assignment = ofType(rbac, 'Microsoft.Authorization/roleAssignments@').find((a) =>
      a.body.includes(
        `roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.${role})`,
      ),
    );
    expect(assignment?.body).toMatch(new RegExp(`^\\s*scope: ${scope}$`, 'm'));
  });
});

describe('Flex Consumption, Node 22', () => {
  it('plan FC1 / FlexConsumption on Linux; site kind functionapp,linux; runtime node 22', () => {
    const [plan] = ofType(functionAppText, 'Microsoft.Web/serverfarms@');
    expect(plan?.body).toMatch(/name: 'FC1'\n\s+tier: 'FlexConsumption'/);
    expect(plan?.body).toMatch(/reserved: true/);
    const [site] = ofType(functionAppText, 'Microsoft.Web/sites@');
    expect(site?.body).toMatch(/^ {2}kind: 'functionapp,linux'$/m);
    expect(site?.body).toMatch(/runtime: \{\n\s+name: 'node'\n\s+version: '22'\n/);
    expect(site?.body).toMatch(/type: 'blobContainer'/);
    expect(site?.body).toMatch(/authentication: \{\n\s+type: 'SystemAssignedIdentity'\n/);
    expect(site?.body).toMatch(
      /instanceMemoryMB: instanceMemoryMB\n\s+maximumInstanceCount: maximumInstanceCount/,
    );
    expect(site?.body).toMatch(
      /value: '\$\{storage\.properties\.primaryEndpoints\.blob\}\$\{deploymentContainerName\}'/,
    );
    expect(argumentFromMain('instanceMemoryMB')).toBe('2048');
    expect(argumentFromMain('maximumInstanceCount')).toBe('maximumInstanceCount'); // a main.bicep parameter
    expect(mainText).toMatch(/^param maximumInstanceCount int = \d+$/m);
  });
});

describe('app settings', () => {
  const settings = appSettings(functionAppText);

  it('host storage by identity: blob, queue and table endpoints + managedidentity, no connection string', () => {
    for (const service of ['blob', 'queue', 'table'])
      expect(settings.get(`AzureWebJobsStorage__${service}ServiceUri`)).toBe(
        `storage.properties.primaryEndpoints.${service}`,
      );
    expect(settings.get('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(settings.has('AzureWebJobsStorage')).toBe(false);
    for (const { file, text } of bicepFiles) {
      expect([file, /listKeys|AccountKey=|SharedAccessSignature/.test(text)]).toEqual([file, false]);
    }
  });

  it('telemetry by identity', () => {
    expect(settings.get('APPLICATIONINSIGHTS_CONNECTION_STRING')).toBe(
      'applicationInsights.properties.ConnectionString',
    );
    expect(settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe("'Authorization=AAD'");
    expect(bicep('infra/app/monitoring.bicep')).toMatch(/DisableLocalAuth: true/);
  });

  it('no settings that Flex Consumption deprecates', () => {
    for (const name of [
      'FUNCTIONS_WORKER_RUNTIME',
      'WEBSITE_NODE_DEFAULT_VERSION',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
    ])
      expect([name, settings.has(name) || functionAppText.includes(name)]).toEqual([name, false]);
  });

  it('every setting the app needs in Azure is set, and every APPGW_* name in the templates is one the code reads', () => {
    const needed = [
      'APPGW_TARGETS',
      'APPGW_SCHEDULE',
      'APPGW_STORAGE_CONNECTION',
      'APPGW_BLOB_CONTAINER',
      'APPGW_STATE_CONTAINER',
      'APPGW_QUEUE_NAME',
      'APPGW_WEBHOOKS',
    ];
    expect(needed.filter((n) => !settings.has(n))).toEqual([]);
    for (const { file, text } of bicepFiles) expect([file, unknownSettingNames(text)]).toEqual([file, []]);
    expect(unknownSettingNames('APPGW_TARGET: x')).toEqual(['APPGW_TARGET']); // a typo is caught
    // the blob code reads the connection APPGW_STORAGE_CONNECTION names, the Functions way
    const connection = literal(settings.get('APPGW_STORAGE_CONNECTION'));
    expect(settings.has(`${connection}__blobServiceUri`)).toBe(true);
  });

  it("defaults: targets = the deployment's subscription, schedule = the code's default, webhooks [] and secure", () => {
    expect(settings.get('APPGW_TARGETS')).toBe('appgwTargets');
    expect(argumentFromMain('appgwTargets')).toBe('targets');
    expect(declared(mainText, 'targets')).toBe('empty(appgwTargets) ? defaultTargets : appgwTargets');
    expect(declared(mainText, 'ownSubscription')).toBe("'/subscriptions/${subscription().subscriptionId}'");
    expect(declared(mainText, 'defaultTargets')).toMatch(/: ownSubscription$/);
    expect(declared(mainText, 'appgwSchedule')).toBe(`'${DEFAULT_SCHEDULE}'`);
    expect(declared(mainText, 'schedule')).toBe(
      `empty(appgwSchedule) ? '${DEFAULT_SCHEDULE}' : appgwSchedule`,
    );
    expect(declared(mainText, 'appgwWebhooks')).toBe("''"); // a secure parameter has no hard-coded default
    expect(declared(mainText, 'webhooks')).toBe("empty(appgwWebhooks) ? '[]' : appgwWebhooks");
    for (const text of [mainText, functionAppText])
      expect(text).toMatch(/@secure\(\)\n(@description\([^\n]*\)\n)?param appgwWebhooks string/);
  });

  it("the settings as deployed (placeholders for deploy-time values) load with the code's own parser", () => {
    const placeholders: Record<string, string> = {
      APPGW_TARGETS: '/subscriptions/00000000-0000-0000-0000-000000000000',
      APPGW_WEBHOOKS: '[]',
      AzureWebJobsStorage__blobServiceUri: 'https://stexample.blob.core.windows.net/',
    };
    const env: Record<string, string> = {};
    for (const [name, value] of settings) {
      const resolved = literal(value) ?? literal(valueFromMain(value));
      if (resolved !== undefined) env[name] = resolved;
      else if (placeholders[name]) env[name] = placeholders[name];
    }
    expect(env).toMatchObject({
      APPGW_BLOB_CONTAINER: 'insights',
      APPGW_STATE_CONTAINER: 'appgw-state',
      APPGW_QUEUE_NAME: 'appgw-evaluate',
      APPGW_STORAGE_CONNECTION: 'AzureWebJobsStorage',
    });
    const config = configFromAppSettings(env);
    const identity = {
      blobServiceUri: 'https://stexample.blob.core.windows.net/',
      credential: 'managedidentity',
    };
    expect(config.sinks.blob).toMatchObject({ ...identity, container: 'insights' });
    expect(config.state.blob).toMatchObject({ ...identity, container: 'appgw-state' });
    expect(readQueueName(env)).toBe(DEFAULT_QUEUE_NAME);
    expect(config.targets).toEqual([
      expect.objectContaining({ subscriptionId: '00000000-0000-0000-0000-000000000000' }),
    ]);
  });
});

describe('storage account', () => {
  const storage = bicep('infra/app/storage.bicep');

  it('keyless, TLS 1.2, no public blobs', () => {
    const [account] = ofType(storage, 'Microsoft.Storage/storageAccounts@');
    expect(account?.body).toMatch(/^\s+allowSharedKeyAccess: false$/m);
    expect(account?.body).toMatch(/^\s+allowBlobPublicAccess: false$/m);
    expect(account?.body).toMatch(/^\s+minimumTlsVersion: 'TLS1_2'$/m);
    expect(ofType(storage, 'Microsoft.Storage/storageAccounts/blobServices/containers@')[0]?.body).toMatch(
      /publicAccess: 'None'/,
    );
  });

  it('creates the containers and queues the app settings name', () => {
    const module = declarations(mainText).find((d) => d.type === './app/storage.bicep');
    expect(module?.body).toMatch(/appContainerNames: \[insightsContainerName, stateContainerName\]/);
    expect(module?.body).toMatch(/queueNames: \[queueName, '\$\{queueName\}-poison'\]/);
    expect(module?.body).toMatch(/deploymentContainerName: deploymentContainerName/);
    expect(valueFromMain('deploymentContainerName')).toBe(declared(mainText, 'deploymentContainerName'));
    expect(storage).toMatch(/concat\(\[deploymentContainerName\], appContainerNames\)/);
    expect(ofType(storage, 'Microsoft.Storage/storageAccounts/queueServices/queues@')[0]?.body).toMatch(
      /for queueName in queueNames/,
    );
  });
});

describe('azd', () => {
  const azureYaml = read('azure.yaml');
  const services = /^services:\n((?: {2}.*\n|\s*\n)*)/m.exec(azureYaml)?.[1] ?? '';
  const app = /^ {2}app:\n((?: {4}.*\n)*)/m.exec(services)?.[1] ?? '';

  it('azure.yaml names the app service: project ., language ts, host function', () => {
    expect(azureYaml).toMatch(/^name: appgw-insights$/m);
    expect(app).toMatch(/^ {4}project: \.$/m);
    expect(app).toMatch(/^ {4}language: ts$/m);
    expect(app).toMatch(/^ {4}host: function$/m);
    // azd finds the site by its azd-service-name tag, which must be this service's name
    expect(declared(functionAppText, 'serviceName')).toBe("'app'");
    expect(valueFromMain('serviceName')).toBe("'app'");
  });

  it('the package hook runs scripts package.json has', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts ?? {});
    const used = [...app.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1] as string);
    expect(used).toContain('bundle');
    expect(used.filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it('remoteBuild: false, which azd refuses when .funcignore excludes the node_modules folder itself', () => {
    expect(app).toMatch(/^ {4}remoteBuild: false$/m);
    const excludesNodeModules = (funcignore: string) =>
      funcignore
        .split('\n')
        .map((line) => line.trim())
        .some((line) => /^(\*\*\/|\/)?node_modules\/?$/.test(line));
    expect(excludesNodeModules(read('.funcignore'))).toBe(false);
    expect(excludesNodeModules('dist\nnode_modules/\n')).toBe(true);
  });

  it('main.parameters.json maps azd variables onto parameters main.bicep declares, and no output feeds back', () => {
    const parameters = JSON.parse(read('infra/main.parameters.json')).parameters as Record<
      string,
      { value: string }
    >;
    expect(parameters['environmentName']?.value).toBe('${AZURE_ENV_NAME}');
    expect(parameters['location']?.value).toBe('${AZURE_LOCATION}');
    expect(Object.keys(parameters).filter((p) => !new RegExp(`^param ${p} `, 'm').test(mainText))).toEqual(
      [],
    );
    // azd writes outputs into the environment: an output named like an input variable would pin it
    const inputs = Object.values(parameters).flatMap((p) =>
      [...p.value.matchAll(/\$\{(\w+)/g)].map((m) => m[1]),
    );
    const outputs = [...mainText.matchAll(/^output (\w+) /gm)].map((m) => m[1]);
    expect(outputs.filter((o) => inputs.includes(o) && !['AZURE_LOCATION'].includes(o as string))).toEqual(
      [],
    );
  });
});
