/**
 * The heap a structure keeps, for the memory tests of `regsize files` (issue #15): a full
 * collection before each reading, so what is counted is what stays reachable, not garbage.
 * mocha does not run node with --expose-gc; V8 exposes `gc` to a new context once the flag
 * is set at run time.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Heap in use after full collections. */
export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Bytes of heap per item that `make` keeps reachable (what it returns is held while measuring). */
export async function retainedPerItem<T>(items: number, make: () => T | Promise<T>): Promise<{ perItem: number; value: T }> {
  const before = heapAfterGc();
  const value = await make();
  const after = heapAfterGc();
  return { perItem: (after - before) / items, value };
}
