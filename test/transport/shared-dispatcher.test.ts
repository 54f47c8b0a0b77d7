/**
 * src/transport/shared-dispatcher.ts: the CLI's one dispatcher is made at the first request
 * (so a run the cache answers loads no undici: test/cli/early-cache.test.ts runs one), shared
 * by every request until the command ends, then ended, and made afresh for the next command.
 */
import assert from 'node:assert/strict';
import type { OwnedDispatcher } from '../../src/transport/dispatcher.js';
import { destroySharedDispatcher, sharedDispatcher, sharedDispatcherMade } from '../../src/transport/shared-dispatcher.js';
import { recordSharedDispatchers } from '../helpers/mock-agent.js';

/** undici's agents say whether they were destroyed (not in the Dispatcher type). */
const destroyed = (d: unknown) => (d as { destroyed: boolean }).destroyed;

describe('transport/shared-dispatcher', function () {
  let made: OwnedDispatcher[];
  let restore: () => void;
  beforeEach(() => {
    destroySharedDispatcher();
    ({ made, restore } = recordSharedDispatchers());
  });
  afterEach(() => {
    restore();
    destroySharedDispatcher();
  });

  it("the CLI's shared one is made at the first request, not before; shared until destroyed; ended even when destroyed while still being made", async () => {
    assert.equal(sharedDispatcherMade(), false);
    const [first, second] = await Promise.all([sharedDispatcher(), sharedDispatcher()]);
    assert.equal(first, second);
    assert.equal(made.length, 1);
    destroySharedDispatcher();
    assert.equal(destroyed(made[0]?.dispatcher), true);
    assert.notEqual(await sharedDispatcher(), first, 'the next command gets a fresh one');
    assert.equal(made.length, 2);
    destroySharedDispatcher();

    const pending = sharedDispatcher();
    destroySharedDispatcher();
    await pending;
    await new Promise(setImmediate);
    assert.equal(made.length, 3);
    assert.equal(destroyed(made[2]?.dispatcher), true, 'a command that ended while its dispatcher was being made leaves no connections');
  });
});
