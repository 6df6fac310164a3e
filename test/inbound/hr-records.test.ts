/** The HR file reader and mapping (pure): CSV edge cases, rules, rejected rows, batching. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, CsvError } from '../../src/inbound/hr/csv.ts';
import { bulkRequests, checkMapping, defaultMapping, readHrFile, rowToScimUser, MappingError } from '../../src/inbound/hr/hr-records.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

void test('CSV: quotes, doubled quotes, line breaks in quotes, CRLF, BOM, ; delimiter, blank lines', () => {
  const t = parseCsv('\uFEFFid;name;note\r\n1;"Doe; Jane";"said ""hi""\nthen left"\r\n\r\n2;Roe;\r\n');
  assert.deepEqual(t.headers, ['id', 'name', 'note']);
  assert.deepEqual(t.rows, [
    { line: 2, cells: ['1', 'Doe; Jane', 'said "hi"\nthen left'] },
    { line: 5, cells: ['2', 'Roe', ''] },
  ]);
  assert.throws(() => parseCsv('a,b\n1,"open'), (e: unknown) => e instanceof CsvError && e.line === 2);
});

void test('rows become SCIM users through a CSV2SCIM-style mapping; bad rows are rejected with their line and reason', () => {
  const { columns, rows } = readHrFile([
    'WorkerID,First,Last,Email,Dept,Mgr,WorkerStatus,HireDate',
    '10,Ana,Diaz,ana@x.test,Sales,11,Active,2024-01-01',
    ',No,Id,noid@x.test,Sales,,Active,',
    '12,Bo,Bad,bo@x.test,Sales,,Maybe,',
    '13,Too,Few',
  ].join('\n'), 'csv');
  const mapping = checkMapping({
    externalId: 'WorkerID',
    userName: '{Email}',
    displayName: '{First} {Last}',
    'name.givenName': 'First',
    'emails[type eq "work"].value': 'Email',
    [`${ENT}:department`]: 'Dept',
    [`${ENT}:manager`]: 'Mgr',
    active: { column: 'WorkerStatus', equals: 'Active' },
    'urn:contoso:employee:HireDate': 'HireDate',
    userType: { value: 'Employee' },
  });
  assert.deepEqual(columns.length, 8);
  const out = rows.map((r) => rowToScimUser(r, mapping));
  const ana = out[0] as { user: Record<string, unknown>; externalId: string };
  assert.equal(ana.externalId, '10');
  assert.deepEqual(ana.user, {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENT, 'urn:contoso:employee'],
    externalId: '10', userName: 'ana@x.test', displayName: 'Ana Diaz', name: { givenName: 'Ana' },
    emails: [{ type: 'work', primary: true, value: 'ana@x.test' }],
    [ENT]: { department: 'Sales', manager: { value: '11' } },
    active: true, 'urn:contoso:employee': { HireDate: '2024-01-01' }, userType: 'Employee',
  });
  assert.deepEqual(out[1], { row: 3, externalId: null, reason: "no externalId: the column 'WorkerID' is empty" });
  // "Maybe" is not Active: with `equals` it is simply false.
  assert.equal((out[2] as { user: Record<string, unknown> }).user.active, false);
  assert.deepEqual(out[3], { row: 5, externalId: '13', reason: 'line 5 has 3 fields; the header has 8' });
});

void test('without a mapping file, known column names map by themselves; a yes/no column must say yes or no', () => {
  const { columns, rows } = readHrFile(JSON.stringify([
    { employeeId: 'A1', userName: 'a1@x.test', firstName: 'A', lastName: 'One', department: 'Ops', managerId: 'A0', status: 'inactive' },
    { employeeId: 'A2', userName: 'a2@x.test', status: 'perhaps' },
  ]), 'json');
  const mapping = defaultMapping(columns);
  assert.deepEqual(mapping, {
    externalId: 'employeeId', userName: 'userName', 'name.givenName': 'firstName', 'name.familyName': 'lastName',
    active: { column: 'status', type: 'boolean' }, [`${ENT}:department`]: 'department', [`${ENT}:manager`]: 'managerId',
  });
  const [one, two] = rows.map((r) => rowToScimUser(r, mapping));
  assert.equal((one as { user: Record<string, unknown> }).user.active, false);
  assert.match((two as { reason: string }).reason, /'status' is 'perhaps', which is neither yes nor no/);
  assert.throws(() => checkMapping({ userName: 'x' }), MappingError);
  assert.throws(() => checkMapping({ externalId: 42 }), /'externalId': expected a column name/);
});

void test('bulk requests hold at most 50 operations', () => {
  const users = Array.from({ length: 120 }, (_, i) => ({ user: { externalId: String(i) }, externalId: String(i) }));
  const reqs = bulkRequests(users);
  assert.deepEqual(reqs.map((r) => (r.Operations as unknown[]).length), [50, 50, 20]);
  assert.deepEqual((reqs[0]!.Operations as { method: string; path: string; bulkId: string }[])[0], { method: 'POST', bulkId: '0', path: '/Users', data: { externalId: '0' } });
});
