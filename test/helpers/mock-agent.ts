/**
 * Registries that cannot run here (Docker Hub, its API, a CDN, hosts by name), answered by
 * undici's MockAgent in place of the CLI's dispatcher: HttpClient sends through undici's own
 * `dispatcher.request`, which nock does not see. Every session, HttpClient and in-process
 * command run of a test in a `useMockAgent()` suite is answered by that test's agent, which
 * refuses (UND_MOCK_ERR_MOCK_NOT_MATCHED) any request nobody mocked and never reaches a network.
 */
import querystring from 'node:querystring';
import { MockAgent } from 'undici';
import { createDispatcher, type OwnedDispatcher } from '../../src/transport/dispatcher.js';
import { destroySharedDispatcher, dispatcherSource } from '../../src/transport/shared-dispatcher.js';

/** A mocked request path matching `path` with any query string (nock's `.query(true)`). */
export const anyQuery = (path: string) => (p: string): boolean => p === path || p.startsWith(`${path}?`);

/**
 * For a describe: each test gets a fresh MockAgent as the default dispatcher, net connections
 * refused; the real one is back after the test. Returns the current test's agent.
 */
export function useMockAgent(): () => MockAgent {
  let agent: MockAgent | undefined;
  beforeEach(() => {
    agent = installMockAgent();
  });
  afterEach(async () => {
    const done = agent;
    agent = undefined;
    uninstallMockAgent();
    await done?.close();
  });
  return () => {
    if (!agent) throw new Error('useMockAgent: no test is running');
    return agent;
  };
}

/** The source regsize starts with, put back by uninstallMockAgent. */
const madeByUndici = dispatcherSource.create;

/** Makes a fresh MockAgent the default dispatcher (until uninstallMockAgent). */
export function installMockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  destroySharedDispatcher();
  current = { agent, uses: [] };
  // A command ends "its" dispatcher when it has its answer: the agent lives on for the test.
  dispatcherSource.create = () => ({ dispatcher: agent, destroy: () => {} });
  return agent;
}

export function uninstallMockAgent(): void {
  current = undefined;
  destroySharedDispatcher();
  dispatcherSource.create = madeByUndici;
}

/**
 * Real dispatchers for the CLI's shared one (real connections), each kept in `made` as it is
 * made, so a test can see when one is made and whether it was ended; `restore` puts the
 * source back.
 */
export function recordSharedDispatchers(): { made: OwnedDispatcher[]; restore: () => void } {
  const made: OwnedDispatcher[] = [];
  const original = dispatcherSource.create;
  dispatcherSource.create = () => {
    const o = createDispatcher();
    made.push(o);
    return o;
  };
  return { made, restore: () => void (dispatcherSource.create = original) };
}

/**
 * Mocks in nock's words, on the current test's agent: `mock(origin).get(path).query(true)
 * .reply(200, body, headers)`, `scope.done()`. A thin layer over MockAgent's intercept, so the
 * tests that mocked Docker Hub with nock assert exactly what they did; each interceptor counts
 * its uses, and done() fails naming any still waiting.
 */
type HeaderMatch = string | RegExp | ((value: string) => boolean);
type Query = true | Record<string, string> | ((query: querystring.ParsedUrlQuery) => boolean);
/** What a request carried, for a reply computed from it. */
export interface MockedRequest {
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}
type Body = string | Uint8Array | object | undefined;
type Reply = [status: number, body?: Body, headers?: Record<string, string> | undefined];

interface Use {
  label: string;
  expected: number;
  used: number;
}

let current: { agent: MockAgent; uses: Use[] } | undefined;

export function mock(origin: string, options: { reqheaders?: Record<string, HeaderMatch>; badheaders?: string[] } = {}): MockScope {
  if (!current) throw new Error('mock: call useMockAgent() in the describe first');
  return new MockScope(current, origin, options.reqheaders ?? {}, options.badheaders ?? []);
}

/** Every mock of the current test was used as many times as it said (nock.isDone()). */
export function mocksDone(): boolean {
  return pendingMocks().length === 0;
}

/** The mocks of the current test still waiting for a request (nock.pendingMocks()). */
export function pendingMocks(): string[] {
  return (current?.uses ?? []).filter((u) => u.used < u.expected).map((u) => `${u.label} (${u.used} of ${u.expected})`);
}

export class MockScope {
  private readonly mine: Use[] = [];

  constructor(
    private readonly owner: { agent: MockAgent; uses: Use[] },
    private readonly origin: string,
    private readonly reqheaders: Record<string, HeaderMatch>,
    private readonly badheaders: string[],
  ) {}

  get(path: string): MockInterceptor {
    return new MockInterceptor(this, 'GET', path);
  }

  head(path: string): MockInterceptor {
    return new MockInterceptor(this, 'HEAD', path);
  }

  /** `body`, when given, is matched against the form or JSON body, parsed. */
  post(path: string, body?: (parsed: Record<string, unknown>) => boolean): MockInterceptor {
    return new MockInterceptor(this, 'POST', path, body);
  }

  /** Throws naming every interceptor of this scope not used as often as it said. */
  done(): void {
    const left = this.mine.filter((u) => u.used < u.expected);
    if (left.length) throw new Error(`mocks not satisfied: ${left.map((u) => `${u.label} (${u.used} of ${u.expected})`).join(', ')}`);
  }

  /** @internal */
  add(spec: InterceptorSpec, reply: (req: MockedRequest) => Reply): this {
    const use: Use = { label: `${spec.method} ${this.origin}${spec.path}`, expected: spec.times, used: 0 };
    this.mine.push(use);
    this.owner.uses.push(use);
    const headerMatches = { ...this.reqheaders, ...spec.headers };
    const badheaders = this.badheaders;
    this.owner.agent
      .get(this.origin)
      .intercept({
        method: spec.method,
        path: (p: string) => matchesPath(p, spec.path, spec.query),
        headers: (headers: Record<string, string>) =>
          badheaders.every((h) => headers[h.toLowerCase()] === undefined) &&
          Object.entries(headerMatches).every(([name, want]) => {
            const value = headers[name.toLowerCase()];
            if (value === undefined) return false;
            return typeof want === 'string' ? value === want : want instanceof RegExp ? want.test(value) : want(value);
          }),
        ...(spec.body ? { body: (b: string) => spec.body?.(parseBody(b)) === true } : {}),
      })
      .reply((opts) => {
        use.used++;
        const [statusCode, body, headers] = reply({ path: opts.path, headers: lowerCased(opts.headers), body: typeof opts.body === 'string' ? opts.body : undefined });
        return { statusCode, data: toData(body), responseOptions: { headers: headers ?? {} } };
      })
      .times(spec.times);
    return this;
  }
}

interface InterceptorSpec {
  method: string;
  path: string;
  query: Query | undefined;
  headers: Record<string, HeaderMatch>;
  times: number;
  body: ((parsed: Record<string, unknown>) => boolean) | undefined;
}

export class MockInterceptor {
  private readonly spec: InterceptorSpec;

  constructor(private readonly scope: MockScope, method: string, path: string, body?: (parsed: Record<string, unknown>) => boolean) {
    this.spec = { method, path, query: undefined, headers: {}, times: 1, body };
  }

  query(q: Query): this {
    this.spec.query = q;
    return this;
  }

  matchHeader(name: string, value: HeaderMatch): this {
    this.spec.headers[name] = value;
    return this;
  }

  once(): this {
    return this.times(1);
  }

  twice(): this {
    return this.times(2);
  }

  times(n: number): this {
    this.spec.times = n;
    return this;
  }

  /** `reply(status, body?, headers?)`, `reply(status, (req) => body, headers?)` or `reply((req) => [status, body, headers])`. */
  reply(status: number | ((req: MockedRequest) => Reply), body?: Body | ((req: MockedRequest) => Body), headers?: Record<string, string>): MockScope {
    if (typeof status === 'function') return this.scope.add(this.spec, status);
    return this.scope.add(this.spec, (req) => [status, typeof body === 'function' ? (body as (req: MockedRequest) => Body)(req) : body, headers]);
  }
}

function matchesPath(requested: string, path: string, query: Query | undefined): boolean {
  const at = requested.indexOf('?');
  const pathname = at < 0 ? requested : requested.slice(0, at);
  const search = at < 0 ? '' : requested.slice(at + 1);
  if (pathname !== path) return false;
  if (query === undefined) return search === '';
  if (query === true) return true;
  const parsed = querystring.parse(search);
  if (typeof query === 'function') return query(parsed);
  const want = Object.entries(query);
  return Object.keys(parsed).length === want.length && want.every(([k, v]) => parsed[k] === v);
}

function parseBody(body: string): Record<string, unknown> {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return { ...querystring.parse(body) };
  }
}

function lowerCased(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers && typeof headers === 'object' && !Array.isArray(headers)) {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) if (typeof v === 'string') out[k.toLowerCase()] = v;
  }
  return out;
}

/** nock's reply bodies: an object is sent as JSON, bytes and strings as they are. */
function toData(body: Body): string | Buffer {
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return JSON.stringify(body);
}
