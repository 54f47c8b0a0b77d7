/**
 * src/errors.ts: anything thrown becomes a RegsizeError whose code says what failed: the network
 * (from Node's, OpenSSL's and undici's own error codes, on real errors of theirs) or regsize
 * itself (INTERNAL, saying it is a bug), never the one for the other.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Agent, errors as undiciErrors, request } from 'undici';
import {
  DigestMismatchError,
  isDigestMismatchError,
  isNetworkError,
  isRegistryError,
  isRegsizeError,
  isRequestTimeoutError,
  isTooLargeError,
  NetworkError,
  RegistryError,
  RegsizeError,
  RequestTimeoutError,
  toRegsizeError,
  TooLargeError,
  UsageError,
} from '../src/errors.js';
import { closedPort } from './helpers/loopback.js';

const dispatcher = new Agent();
after(() => dispatcher.close());

/** The error regsize's HTTP path (undici's request, transport/http.ts) rejects with for `url`. */
async function requestFailure(url: string): Promise<unknown> {
  try {
    await request(url, { dispatcher });
  } catch (e) {
    return e;
  }
  assert.fail(`${url} answered`);
}


describe('errors', () => {
  describe('toRegsizeError: a network fault by its codes', () => {
    it('a refused connection (ECONNREFUSED, as undici\'s request rejects) is NETWORK, not retried', async () => {
      const e = await requestFailure(`http://127.0.0.1:${await closedPort()}/v2/`);
      assert.equal((e as { code?: unknown }).code, 'ECONNREFUSED');
      const err = toRegsizeError(e);
      assert.ok(err instanceof NetworkError);
      assert.equal(err.code, 'NETWORK');
      assert.match(err.message, /^network error: .*ECONNREFUSED.* \(ECONNREFUSED\)$/);
      assert.equal(err.retryable, false);
      assert.equal(err.cause, e);
    });

    it('a connection that broke mid-way is NETWORK and retryable', async () => {
      const server = net.createServer((s) => s.once('data', () => s.destroy()));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        const e = await requestFailure(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`);
        const err = toRegsizeError(e);
        assert.ok(isNetworkError(err), err.message);
        assert.equal(err.retryable, true, err.message);
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    });

    it('an unknown host, a TLS failure and an HTTP parser failure are NETWORK', () => {
      for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'ERR_SSL_WRONG_VERSION_NUMBER', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'HPE_INVALID_CONSTANT', 'UND_ERR_SOCKET']) {
        const cause = Object.assign(new Error(`failed with ${code}`), { code });
        const err = toRegsizeError(new TypeError('fetch failed', { cause }));
        assert.equal(err.code, 'NETWORK', code);
        assert.match(err.message, new RegExp(`failed with ${code} \\(${code}\\)`));
      }
    });

    it("undici's own error classes: a socket error is NETWORK, its connect timeout TIMEOUT (not retried)", () => {
      const socket = toRegsizeError(new TypeError('fetch failed', { cause: new undiciErrors.SocketError('other side closed') }));
      assert.ok(isNetworkError(socket));
      assert.equal(socket.retryable, true);
      const timeout = toRegsizeError(new TypeError('fetch failed', { cause: new undiciErrors.ConnectTimeoutError() }));
      assert.ok(timeout instanceof RequestTimeoutError);
      assert.equal(timeout.code, 'TIMEOUT');
      assert.equal(timeout.retryable, false, 'a timeout is not retried, here as in the HTTP layer');
      assert.match(timeout.message, /\(UND_ERR_CONNECT_TIMEOUT\); raise --timeout or check the network$/);
    });

    it('an AggregateError (both address families refused) is read through its errors', () => {
      const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5000'), { code: 'ECONNREFUSED' });
      const err = toRegsizeError(new TypeError('fetch failed', { cause: new AggregateError([refused], '') }));
      assert.equal(err.code, 'NETWORK');
      assert.match(err.message, /connect ECONNREFUSED ::1:5000/);
    });

    it('a DOMException TimeoutError (an aborted signal) is TIMEOUT', () => {
      const err = toRegsizeError(new DOMException('The operation timed out.', 'TimeoutError'));
      assert.ok(isRequestTimeoutError(err));
      assert.equal(err.retryable, false);
    });
  });

  describe('toRegsizeError: a bug is INTERNAL, and says so', () => {
    it('a plain TypeError (undefined.x) is INTERNAL, not NETWORK', () => {
      let thrown: unknown;
      try {
        void (undefined as unknown as { x: { y: number } }).x.y;
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown instanceof TypeError);
      const err = toRegsizeError(thrown);
      assert.equal(err.code, 'INTERNAL');
      assert.match(err.message, /^a bug in regsize: TypeError: Cannot read properties of undefined \(reading 'x'\); please report it \(run with --debug for the stack\)$/);
      assert.equal(err.cause, thrown);
    });

    it("fetch's TypeError around a programming error of undici's (UND_ERR_INVALID_ARG) is INTERNAL", () => {
      const err = toRegsizeError(new TypeError('fetch failed', { cause: new undiciErrors.InvalidArgumentError('invalid header') }));
      assert.equal(err.code, 'INTERNAL');
    });

    it('a file-system errno is no network fault', () => {
      assert.equal(toRegsizeError(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })).code, 'INTERNAL');
    });

    it('a thrown string or undefined still gives a message', () => {
      assert.match(toRegsizeError('boom').message, /^a bug in regsize: boom;/);
      assert.equal(toRegsizeError(undefined).code, 'INTERNAL');
    });

    it('a RegsizeError passes through as it is', () => {
      const e = new RegsizeError('DENIED', 'no');
      assert.equal(toRegsizeError(e), e);
    });
  });

  describe('classes and guards', () => {
    it('each subclass carries its code, and its guard knows it', () => {
      const cases: [RegsizeError, string, (e: unknown) => boolean][] = [
        [new NetworkError('n'), 'NETWORK', isNetworkError],
        [new RequestTimeoutError('t'), 'TIMEOUT', isRequestTimeoutError],
        [new DigestMismatchError('d'), 'DIGEST_MISMATCH', isDigestMismatchError],
        [new TooLargeError('BLOB_TOO_LARGE', 'big', 16), 'BLOB_TOO_LARGE', isTooLargeError],
      ];
      for (const [e, code, guard] of cases) {
        assert.equal(e.code, code);
        assert.ok(guard(e), code);
        assert.ok(isRegsizeError(e));
        // No guard claims another class's error.
        for (const [other, otherCode, otherGuard] of cases) if (other !== e) assert.equal(otherGuard(e), false, `${otherCode} guard on ${code}`);
      }
      assert.equal(new TooLargeError('MANIFEST_TOO_LARGE', 'big', 4096).limit, 4096);
    });

    it('the guards know a RegsizeError built with the code directly, and nothing that is not a RegsizeError', () => {
      assert.ok(isNetworkError(new RegsizeError('NETWORK', 'x')));
      assert.ok(isRequestTimeoutError(new RegsizeError('TIMEOUT', 'x')));
      assert.ok(isDigestMismatchError(new RegsizeError('DIGEST_MISMATCH', 'x')));
      assert.equal(isTooLargeError(new RegsizeError('MANIFEST_TOO_LARGE', 'x')), false, 'too large is known by its class (it carries the limit)');
      for (const guard of [isNetworkError, isRequestTimeoutError, isDigestMismatchError, isTooLargeError, isRegsizeError, isRegistryError]) {
        assert.equal(guard(Object.assign(new Error('x'), { code: 'NETWORK' })), false);
        assert.equal(guard(undefined), false);
      }
    });

    it('JSON holds the code and message only, whatever the class', () => {
      for (const e of [new NetworkError('n', { retryable: true }), new TooLargeError('BLOB_TOO_LARGE', 'big', 1), new RegistryError('DENIED', 'no', { status: 403, method: 'GET', url: 'https://r/v2/' })]) {
        assert.deepEqual(JSON.parse(JSON.stringify({ error: e })), { error: { code: e.code, message: e.message } });
      }
    });

    it('UsageError takes (code, message), as RegsizeError does', () => {
      const e = new UsageError('INVALID_REFERENCE', 'bad ref');
      assert.equal(e.code, 'INVALID_REFERENCE');
      assert.equal(e.message, 'bad ref');
      assert.ok(isRegsizeError(e));
    });

    it('a RegistryError keeps the data to diagnose it', () => {
      const e = new RegistryError('REGISTRY_ERROR', 'm', { status: 503, method: 'HEAD', url: 'https://r/v2/x', errors: [{ code: 'UNAVAILABLE' }], retryAfter: 5, retryable: true });
      assert.ok(isRegistryError(e));
      assert.deepEqual([e.status, e.method, e.url, e.errors, e.retryAfter, e.retryable], [503, 'HEAD', 'https://r/v2/x', [{ code: 'UNAVAILABLE' }], 5, true]);
    });
  });
});
