/**
 * The PowerShell parameter binder and literal parser, in-process: name
 * matching, switches, value kinds, parameter-set resolution for every set
 * of every seed cmdlet, hashtable/array literals and Graph casing.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bindCmdlet, matchParameter, parsePowerShellLiteral, resolveParameterSet, toGraphCasing, member, syntaxHelp,
} from '../../src/cli/powershell-params.ts';
import type { CmdletSignature, ValueSource } from '../../src/cli/powershell-params.ts';
import { CliError } from '../../src/cli/errors.ts';
import { CMDLETS, findCmdlet } from '../../src/cli/cmdlets/index.ts';

const files: Record<string, string> = { 'body.json': '{"secrets":[]}', 'literal.ps1': "@{Key='a'; Value='b'}" };
const source: ValueSource = {
  readFile: (p) => {
    const f = files[p];
    if (f === undefined) throw new Error(`ENOENT: ${p}`);
    return f;
  },
  readStdin: () => '[{"ruleId":"r"}]',
};

function sig(name: string): CmdletSignature {
  const c = findCmdlet(name);
  assert.ok(c, name);
  return c.signature;
}

/** The CliError a call throws: its code and message. */
function thrown(fn: () => unknown): { code: string; message: string; exitCode: number } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CliError, String(e));
    return { code: e.code, message: e.message, exitCode: e.exitCode };
  }
  assert.fail('expected an error');
}

const bind = (name: string, ...argv: string[]) => bindCmdlet(sig(name), argv, source);

describe('parameter names', () => {
  const start = sig('Start-MgApplicationSynchronizationJob');

  test('exact names and aliases ignore case; unique prefixes abbreviate', () => {
    assert.equal(matchParameter(start, 'applicationid').name, 'ApplicationId');
    assert.equal(matchParameter(start, 'APP').name, 'ApplicationId');
    assert.equal(matchParameter(start, 'wi').name, 'WhatIf');
    assert.equal(matchParameter(start, 'CF').name, 'Confirm');
    assert.equal(matchParameter(start, 'vb').name, 'Verbose');
    assert.equal(matchParameter(start, 'ErrorAction').name, 'ErrorAction');
    assert.equal(matchParameter(sig('Get-MgApplicationSynchronizationAccessToken'), 'rhv').name, 'ResponseHeadersVariable');
  });

  test('an ambiguous prefix names every match; an unknown name is NamedParameterNotFound', () => {
    const a = thrown(() => matchParameter(sig('New-MgApplicationSynchronizationJobOnDemand'), 'A'));
    assert.equal(a.code, 'AmbiguousParameter');
    assert.match(a.message, /Possible matches include: -ApplicationId -AdditionalProperties\.$/);
    assert.equal(thrown(() => matchParameter(start, 'Nope')).code, 'NamedParameterNotFound');
    // "-P" could be PassThru or PipelineVariable (a common parameter).
    assert.equal(thrown(() => matchParameter(start, 'P')).code, 'AmbiguousParameter');
  });
});

describe('binding values', () => {
  test('switches: bare, :$true, :$false and shell-friendly spellings', () => {
    const b = bind('Start-MgApplicationSynchronizationJob', '-ApplicationId', 'a', '-SynchronizationJobId', 'j', '-PassThru', '-WhatIf:$false', '-Confirm:false');
    assert.equal(b.values.get('PassThru'), true);
    assert.equal(b.values.get('WhatIf'), false);
    assert.equal(b.values.get('Confirm'), false);
    assert.equal(bind('Start-MgApplicationSynchronizationJob', '-ApplicationId', 'a', '-SynchronizationJobId', 'j', '-PassThru:1').values.get('PassThru'), true);
    assert.equal(thrown(() => bind('Start-MgApplicationSynchronizationJob', '-ApplicationId', 'a', '-SynchronizationJobId', 'j', '-PassThru:yes')).code, 'ParameterArgumentTransformationError');
  });

  test('-Name:value binds a value too; a value may look like anything but a parameter', () => {
    const b = bind('Start-MgApplicationSynchronizationJob', '-ApplicationId:a-1', '-SynchronizationJobId', 'scim.x.y');
    assert.equal(b.values.get('ApplicationId'), 'a-1');
    assert.equal(b.values.get('SynchronizationJobId'), 'scim.x.y');
    assert.equal(thrown(() => bind('Start-MgApplicationSynchronizationJob', '-ApplicationId', '-SynchronizationJobId', 'j')).code, 'MissingArgument');
    assert.equal(thrown(() => bind('Start-MgApplicationSynchronizationJob', '-ApplicationId', 'a', '-SynchronizationJobId', 'j', 'stray')).code, 'PositionalParameterNotFound');
  });

  test('provisio options are separated from cmdlet parameters, anywhere on the line', () => {
    const b = bind('Start-MgApplicationSynchronizationJob', '--json', '-ApplicationId', 'a', '--server', 'http://h:1', '-SynchronizationJobId', 'j', '--client-id=c', '--verbose');
    assert.deepEqual(b.globals, { json: true, server: 'http://h:1', clientId: 'c', verbose: true });
    assert.equal(thrown(() => bind('Start-MgApplicationSynchronizationJob', '--server')).code, 'MissingArgument');
    assert.equal(bind('Start-MgApplicationSynchronizationJob', '--help').help, true);
    assert.equal(bind('Start-MgApplicationSynchronizationJob', '-?').help, true);
  });

  test('objects and arrays: JSON, @file (JSON or a literal), @- (stdin), literals; single objects become one-element arrays', () => {
    const set = bind('Set-MgServicePrincipalSynchronization', '-ServicePrincipalId', 's', '-Secrets', '{"key":"SyncAll","value":"false"}', '-Templates', '@literal.ps1', '-Jobs', '@-');
    assert.deepEqual(set.values.get('Secrets'), [{ key: 'SyncAll', value: 'false' }]);
    assert.deepEqual(set.values.get('Templates'), [{ Key: 'a', Value: 'b' }]);
    assert.deepEqual(set.values.get('Jobs'), [{ ruleId: 'r' }]);
    assert.deepEqual(bind('Set-MgServicePrincipalSynchronization', '-ServicePrincipalId', 's', '-BodyParameter', '@body.json').values.get('BodyParameter'), { secrets: [] });
    const missing = thrown(() => bind('Set-MgServicePrincipalSynchronization', '-ServicePrincipalId', 's', '-BodyParameter', '@nope.json'));
    assert.match(missing.message, /cannot read file 'nope\.json'/);
    assert.equal(thrown(() => bind('Set-MgServicePrincipalSynchronization', '-ServicePrincipalId', 's', '-BodyParameter', '[]')).code, 'ParameterArgumentTransformationError');
    assert.equal(thrown(() => bind('Set-MgServicePrincipalSynchronization', '-ServicePrincipalId', 's', '-Secrets', '["x"]')).code, 'ParameterArgumentTransformationError');
  });

  test('GUIDs are checked and printed the .NET way', () => {
    const b = bind('Sync-CsOnlineApplicationInstance', '-ObjectId', '(5B2F3A4C111122223333444455556666)');
    assert.equal(b.values.get('ObjectId'), '5b2f3a4c-1111-2222-3333-444455556666');
    assert.equal(thrown(() => bind('Sync-CsOnlineApplicationInstance', '-ObjectId', '5b2f3a4c')).code, 'ParameterArgumentTransformationError');
  });

  test('every binder error exits with the usage code', () => {
    assert.equal(thrown(() => bind('Start-MgApplicationSynchronizationJob')).exitCode, 2);
  });
});

describe('parameter-set resolution', () => {
  /** [cmdlet, parameters given, expected set or error id] */
  const cases: [string, string[], string][] = [
    ['Start-MgApplicationSynchronizationJob', ['ApplicationId', 'SynchronizationJobId'], 'Start'],
    ['Start-MgApplicationSynchronizationJob', ['InputObject', 'PassThru'], 'StartViaIdentity'],
    ['Start-MgApplicationSynchronizationJob', ['ApplicationId', 'InputObject'], 'AmbiguousParameterSet'],
    ['Start-MgApplicationSynchronizationJob', ['PassThru'], 'MissingMandatoryParameter'],
    ['New-MgApplicationSynchronizationJobOnDemand', ['ApplicationId', 'SynchronizationJobId'], 'ProvisionExpanded'],
    ['New-MgApplicationSynchronizationJobOnDemand', ['ApplicationId', 'SynchronizationJobId', 'Parameters', 'AdditionalProperties'], 'ProvisionExpanded'],
    ['New-MgApplicationSynchronizationJobOnDemand', ['ApplicationId', 'SynchronizationJobId', 'BodyParameter'], 'Provision'],
    ['New-MgApplicationSynchronizationJobOnDemand', ['InputObject'], 'ProvisionViaIdentityExpanded'],
    ['New-MgApplicationSynchronizationJobOnDemand', ['InputObject', 'Parameters', 'Headers'], 'ProvisionViaIdentityExpanded'],
    ['New-MgApplicationSynchronizationJobOnDemand', ['InputObject', 'BodyParameter'], 'ProvisionViaIdentity'],
    // Two sets remain, neither complete nor the default: PowerShell cannot tell which one is meant.
    ['New-MgApplicationSynchronizationJobOnDemand', ['BodyParameter'], 'AmbiguousParameterSet'],
    ['New-MgApplicationSynchronizationJobOnDemand', ['Parameters', 'BodyParameter'], 'AmbiguousParameterSet'],
    ['Get-MgApplicationSynchronizationAccessToken', ['ApplicationId'], 'AcquireExpanded'],
    ['Get-MgApplicationSynchronizationAccessToken', ['ApplicationId', 'Credentials'], 'AcquireExpanded'],
    ['Get-MgApplicationSynchronizationAccessToken', ['ApplicationId', 'BodyParameter'], 'Acquire'],
    ['Get-MgApplicationSynchronizationAccessToken', ['InputObject', 'BodyParameter'], 'AcquireViaIdentity'],
    ['Get-MgApplicationSynchronizationAccessToken', ['InputObject', 'Credentials', 'PassThru'], 'AcquireViaIdentityExpanded'],
    ['Get-MgApplicationSynchronizationAccessToken', ['Credentials'], 'MissingMandatoryParameter'],
    ['Set-MgServicePrincipalSynchronization', ['ServicePrincipalId'], 'UpdateExpanded'],
    ['Set-MgServicePrincipalSynchronization', ['ServicePrincipalId', 'Jobs', 'Secrets', 'Templates', 'Id'], 'UpdateExpanded'],
    ['Set-MgServicePrincipalSynchronization', ['ServicePrincipalId', 'BodyParameter'], 'Update'],
    ['Set-MgServicePrincipalSynchronization', ['InputObject', 'Secrets'], 'UpdateViaIdentityExpanded'],
    ['Set-MgServicePrincipalSynchronization', ['InputObject', 'BodyParameter'], 'UpdateViaIdentity'],
    ['Set-MgServicePrincipalSynchronization', ['ServicePrincipalId', 'InputObject'], 'AmbiguousParameterSet'],
    ['Sync-CsOnlineApplicationInstance', ['ObjectId', 'ApplicationId', 'AcsResourceId', 'CallbackUri', 'Force'], '__AllParameterSets'],
    ['Sync-CsOnlineApplicationInstance', ['ApplicationId'], 'MissingMandatoryParameter'],
  ];
  for (const [cmdlet, names, expected] of cases) {
    test(`${cmdlet} ${names.map((n) => `-${n}`).join(' ')} → ${expected}`, () => {
      const s = sig(cmdlet);
      const given = names.map((n) => matchParameter(s, n));
      if (expected.endsWith('ParameterSet') || expected.startsWith('Missing')) assert.equal(thrown(() => resolveParameterSet(s, given)).code, expected);
      else assert.equal(resolveParameterSet(s, given), expected);
    });
  }

  test('every documented set of every cmdlet is reachable, and its syntax is in the help', () => {
    for (const c of CMDLETS) {
      const help = syntaxHelp(c.signature);
      for (const set of c.signature.sets) {
        assert.ok(cases.some(([name, , s]) => name === c.signature.name && s === set), `${c.signature.name} ${set} has a case`);
        assert.ok(help.includes(`${set}${set === c.signature.defaultSet ? ' (Default)' : ''}\n  ${c.signature.name} `), `${set} in help`);
      }
    }
  });
});

describe('PowerShell literals', () => {
  test('hashtables, arrays, quoting, numbers and $true/$false/$null', () => {
    assert.deepEqual(parsePowerShellLiteral("@{ApplicationId='a1'; SynchronizationJobId=\"j1\"}"), { ApplicationId: 'a1', SynchronizationJobId: 'j1' });
    assert.deepEqual(parsePowerShellLiteral("@( @{Key='BaseAddress'; Value='https://x'} , @{Key='SyncAll'; Value=$false} )"), [
      { Key: 'BaseAddress', Value: 'https://x' },
      { Key: 'SyncAll', Value: false },
    ]);
    assert.deepEqual(parsePowerShellLiteral("@{a=1; b=-2.5; c=$NULL; d=$True; 'e f'='it''s'; g=\"say `\"hi`\"\"}"), { a: 1, b: -2.5, c: null, d: true, 'e f': "it's", g: 'say "hi"' });
    assert.deepEqual(parsePowerShellLiteral('@{\n  a = 1\n  b = @()\n}'), { a: 1, b: [] });
    assert.deepEqual(parsePowerShellLiteral("@{x='1'},@{x='2'}"), [{ x: '1' }, { x: '2' }]);
    assert.deepEqual(parsePowerShellLiteral("@{list='a','b'}"), { list: ['a', 'b'] });
  });

  test('mistakes name the position', () => {
    assert.throws(() => parsePowerShellLiteral("@{a='1'"), /expected ';' or '}' at position 8/);
    assert.throws(() => parsePowerShellLiteral("@(1,"), /missing '\)' at position 5/);
    assert.throws(() => parsePowerShellLiteral('@{a=unquoted}'), /unexpected 'u' \(quote text values\) at position 5/);
    assert.throws(() => parsePowerShellLiteral('@{a="$env:x"}'), /variables are not expanded/);
    assert.throws(() => parsePowerShellLiteral("@{a='1'} trailing"), /unexpected 't'/);
  });

  test('Graph casing: PascalCase keys become camelCase, values and other keys stay', () => {
    assert.deepEqual(toGraphCasing({ Parameters: [{ RuleId: 'R', Subjects: [{ ObjectId: 'O', ObjectTypeName: 'User', Links: { Members: [] } }] }], '@odata.type': 'x', SCIM: 1 }), {
      parameters: [{ ruleId: 'R', subjects: [{ objectId: 'O', objectTypeName: 'User', links: { members: [] } }] }],
      '@odata.type': 'x',
      SCIM: 1,
    });
    assert.equal(member({ ApplicationID: 'x' }, 'applicationId'), 'x');
  });
});
