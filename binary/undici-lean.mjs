// What regsize imports from undici, without the rest of undici's index (see scripts/bundle.mjs).
// A name missing here fails the bundle's tests (the bundle would see undefined), not the build.
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import api from 'undici/lib/api/index.js';

export { default as Agent } from 'undici/lib/dispatcher/agent.js';
export { default as Client } from 'undici/lib/dispatcher/client.js';
export { default as EnvHttpProxyAgent } from 'undici/lib/dispatcher/env-http-proxy-agent.js';
export { default as Pool } from 'undici/lib/dispatcher/pool.js';

// As undici's index does: every dispatcher gets request/stream/pipeline/connect/upgrade
// (ProxyAgent tunnels with its proxy client's connect()).
Object.assign(Dispatcher.prototype, api);
