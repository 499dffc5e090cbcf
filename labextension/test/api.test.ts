import assert from 'node:assert/strict';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { ServerConnection } from '@jupyterlab/services';

import { ApiError, HttpApi } from '../src/api';

interface ISeen {
  method: string;
  url: string;
  auth: string | undefined;
  body: unknown;
}

/** A stand-in Jupyter server on a free local port; each test sets what it answers. */
let server: Server;
let base: string;
let seen: ISeen[] = [];
let answer: (req: IncomingMessage) => [number, string] = () => [200, '{}'];

before(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', chunk => (raw += chunk));
    req.on('end', () => {
      // ServerConnection may add a cache-busting query string.
      seen.push({
        method: req.method!,
        url: req.url!.split('?')[0],
        auth: req.headers.authorization,
        body: raw ? JSON.parse(raw) : null
      });
      const [status, body] = answer(req);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/user/me/`;
});

after(() => server.close());

function api(baseUrl = base): HttpApi {
  seen = [];
  return new HttpApi(ServerConnection.makeSettings({ baseUrl, token: 'secret' }));
}

describe('HttpApi', () => {
  it("posts to the routes under the server's base URL with its token", async () => {
    answer = () => [
      200,
      JSON.stringify({
        notebook: 'd/nb.ipynb',
        ok: true,
        stages: [],
        params: [],
        diagnostics: [],
        edges: []
      })
    ];
    const client = api();
    const result = await client.analyze({ path: 'd/nb.ipynb', notebook: { cells: [] } });
    assert.equal(result.notebook, 'd/nb.ipynb');
    assert.deepEqual(seen, [
      {
        method: 'POST',
        url: '/user/me/nb2pipe/analyze',
        auth: 'token secret',
        body: { path: 'd/nb.ipynb', notebook: { cells: [] } }
      }
    ]);
  });

  it('sends export options and run ids as the server API documents them', async () => {
    answer = req =>
      req.url!.endsWith('/run')
        ? [202, '{"run_id": "r 1"}']
        : [200, '{"run_id": "r 1", "state": "done"}'];
    const client = api();
    assert.equal(await client.startRun('d/nb.ipynb', true), 'r 1');
    assert.equal((await client.runStatus('r 1')).state, 'done');
    await client.cancelRun('r 1');
    answer = () => [200, '{"written": []}'];
    await client.exportPipeline('d/nb.ipynb', { force: false, by_headings: null });
    assert.deepEqual(
      seen.map(s => [s.method, s.url, s.body]),
      [
        ['POST', '/user/me/nb2pipe/run', { path: 'd/nb.ipynb', options: { force: true } }],
        ['GET', '/user/me/nb2pipe/run/r%201', null],
        ['POST', '/user/me/nb2pipe/run/r%201/cancel', {}],
        [
          'POST',
          '/user/me/nb2pipe/export',
          { path: 'd/nb.ipynb', options: { force: false, by_headings: null } }
        ]
      ]
    );
  });

  it("turns an error answer into an ApiError carrying the server's message and details", async () => {
    answer = () => [
      409,
      JSON.stringify({ message: "'dvc.yaml' was edited by hand", paths: ['d/dvc.yaml'] })
    ];
    await assert.rejects(api().exportPipeline('d/nb.ipynb', { force: false }), (e: ApiError) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 409);
      assert.equal(e.message, "'dvc.yaml' was edited by hand");
      assert.deepEqual(e.body.paths, ['d/dvc.yaml']);
      return true;
    });
  });

  it('says what to do when the server extension is not there', async () => {
    answer = () => [404, '<html>Not Found</html>'];
    await assert.rejects(
      api().analyze({ path: 'nb.ipynb' }),
      /jupyter server extension enable jupyter_pipeline/
    );
  });

  it('says so when the server does not answer at all', async () => {
    const closed = createServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise(resolve => closed.close(resolve));
    await assert.rejects(api(`http://127.0.0.1:${port}/`).runStatus('x'), (e: ApiError) => {
      assert.equal(e.status, 0);
      assert.match(e.message, /did not answer/);
      return true;
    });
  });
});
