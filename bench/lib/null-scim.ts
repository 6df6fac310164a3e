/**
 * A SCIM 2.0 endpoint that keeps nothing, as its own process, for the
 * scale-out benchmark: the engine's work is what is measured, not a
 * target's. Queries answer an empty ListResponse (nothing matches, so every
 * object is created), POST answers 201 with the resource and a new id,
 * PATCH 200 with a minimal resource, DELETE 204. Bearer token checked.
 * NULL_SCIM_DELAY_MS (default 0) holds every answer that long, as a real
 * application's round trip would (the scale-out bench's latency-bound run).
 * Prints `{"url":…,"token":…}` once listening; stops when stdin closes.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

const token = randomBytes(18).toString('base64url');
const LIST = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] });
let requests = 0;

const DELAY_MS = Number(process.env.NULL_SCIM_DELAY_MS ?? 0);

const server = createServer((req, res) => {
  if (DELAY_MS > 0) setTimeout(() => handle(req, res), DELAY_MS);
  else handle(req, res);
});

function handle(req: IncomingMessage, res: ServerResponse): void {
  requests++;
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/scim+json' }).end(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '401' }));
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const type = path.includes('/Groups') ? 'Group' : 'User';
    const json = { 'content-type': 'application/scim+json' };
    if (req.method === 'GET') {
      res.writeHead(200, json).end(LIST);
    } else if (req.method === 'POST') {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const id = randomUUID();
      res.writeHead(201, { ...json, location: `${base}/${type}s/${id}` }).end(JSON.stringify({ ...body, id, meta: { resourceType: type, location: `${base}/${type}s/${id}` } }));
    } else if (req.method === 'PATCH' || req.method === 'PUT') {
      const id = path.split('/').pop();
      res.writeHead(200, json).end(JSON.stringify({ schemas: [`urn:ietf:params:scim:schemas:core:2.0:${type}`], id, meta: { resourceType: type } }));
    } else if (req.method === 'DELETE') {
      res.writeHead(204).end();
    } else {
      res.writeHead(405).end();
    }
  });
}
server.keepAliveTimeout = 60_000;
let base = '';
server.listen(0, '127.0.0.1', () => {
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2`;
  console.log(JSON.stringify({ url: base, token, pid: process.pid }));
});
process.stdin.resume();
process.stdin.on('end', () => {
  console.error(JSON.stringify({ nullScimRequests: requests }));
  server.close();
  server.closeAllConnections();
});
