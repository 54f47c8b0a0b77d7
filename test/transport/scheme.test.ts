/** src/transport/scheme.ts: which schemes a registry is tried with, and where credentials may travel. */
import assert from 'node:assert/strict';
import { isLoopbackHost, isNotTls, mayCarryCredentials, schemesFor } from '../../src/transport/scheme.js';

describe('transport/scheme', () => {
  it('knows loopback hosts, with or without a port, IPv6 in brackets', () => {
    for (const h of ['localhost', 'localhost:5000', '127.0.0.1', '127.1.2.3:80', '[::1]:5000', '[::1]']) assert.ok(isLoopbackHost(h), h);
    for (const h of ['example.com', '10.0.0.1:5000', '127.0.0.1.example.com', 'localhost.example.com', '[::2]:5000']) assert.equal(isLoopbackHost(h), false, h);
  });

  it('https only for other hosts; https then http on loopback; http only with --plain-http (all, or the host named)', () => {
    assert.deepEqual(schemesFor('ghcr.io', { plainHttp: false }), ['https']);
    assert.deepEqual(schemesFor('127.0.0.1:5000', { plainHttp: false }), ['https', 'http']);
    assert.deepEqual(schemesFor('ghcr.io', { plainHttp: true }), ['http']);
    assert.deepEqual(schemesFor('reg.lan:5000', { plainHttp: ['reg.lan'] }), ['http'], 'a host named without its port covers every port');
    assert.deepEqual(schemesFor('reg.lan:5000', { plainHttp: ['reg.lan:5000'] }), ['http']);
    assert.deepEqual(schemesFor('reg.lan:5001', { plainHttp: ['reg.lan:5000'] }), ['https']);
  });

  it('credentials travel over https, or in clear only to this machine', () => {
    assert.ok(mayCarryCredentials('https://ghcr.io/token'));
    assert.ok(mayCarryCredentials('http://127.0.0.1:5000/token'));
    assert.equal(mayCarryCredentials('http://auth.example/token'), false);
  });

  it('tells a server that does not speak TLS from the codes on the cause chain, never the message', () => {
    const code = (c: string, cause?: unknown) => Object.assign(new Error('x', cause ? { cause } : undefined), { code: c });
    assert.ok(isNotTls(code('ERR_SSL_WRONG_VERSION_NUMBER')));
    assert.ok(isNotTls(new TypeError('fetch failed', { cause: code('EPROTO') })));
    assert.equal(isNotTls(new Error('ERR_SSL_WRONG_VERSION_NUMBER in the text only')), false);
    assert.equal(isNotTls(new TypeError('fetch failed', { cause: code('ECONNREFUSED') })), false);
  });
});
