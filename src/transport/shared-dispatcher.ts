/**
 * The CLI's one dispatcher for the process, shared by a command's sessions so that connections
 * and TLS sessions are reused across images, and ended when the command has its answer.
 *
 * Made on the first request, not when a session is built: undici and the node modules it needs
 * at load (http2, http, its parser) cost a warm compare about a tenth of its start-up, and a run
 * the cache answers whole sends nothing (issue #16). `import()` of dispatcher.ts is what defers
 * them; in the bundle it is an in-bundle init, run on that first call.
 */
import type { Dispatcher } from 'undici';
import type { OwnedDispatcher } from './dispatcher.js';

/**
 * What the shared dispatcher is made by. An object, not a constant, so that a test of whole
 * sessions and commands (which cannot hand them a dispatcher) can answer them with undici's
 * MockAgent instead of the network (test/helpers/mock-agent.ts); nothing in regsize writes it.
 */
export const dispatcherSource: { create: () => OwnedDispatcher | Promise<OwnedDispatcher> } = { create: madeByUndici };

async function madeByUndici(): Promise<OwnedDispatcher> {
  return (await import('./dispatcher.js')).createDispatcher();
}

interface Shared {
  made: Promise<OwnedDispatcher>;
  /** `made`'s dispatcher. */
  ready: Promise<Dispatcher>;
  /** `made`'s, once it is. */
  owned?: OwnedDispatcher;
}

let shared: Shared | undefined;

/** The shared dispatcher, made on the first call; the same one until destroySharedDispatcher. */
export function sharedDispatcher(): Promise<Dispatcher> {
  if (!shared) {
    const made = Promise.resolve().then(() => dispatcherSource.create());
    const s: Shared = { made, ready: made.then((o) => ((s.owned = o), o.dispatcher)) };
    shared = s;
  }
  return shared.ready;
}

/** Whether this process has made the shared dispatcher (and so loaded undici for it), for tests. */
export function sharedDispatcherMade(): boolean {
  return shared !== undefined;
}

/**
 * Ends the CLI's connections once a command has its answer: idle keep-alive sockets (30 s) and
 * a request still waiting on a silent server would otherwise keep Node running after the result
 * is printed; bin/run.js exits once stdout is written. The next command gets a fresh one. One
 * still being made is ended as soon as it is.
 */
export function destroySharedDispatcher(): void {
  const s = shared;
  shared = undefined;
  if (!s) return;
  if (s.owned) s.owned.destroy();
  else s.made.then((o) => o.destroy(), () => {});
}
