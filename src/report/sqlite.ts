/**
 * SQLite for the history, as WebAssembly (sql.js): nothing to compile at install time, no
 * prebuilt-binary host to reach, the same file format better-sqlite3 wrote (issue #16).
 *
 * Loaded on first use only, so commands that never open the history do not pay the ~200 ms it
 * takes V8 to compile the 690 KB module. Inside the single-file binary (scripts/build-binary.mjs)
 * the module is not on disk: it is a SEA asset of the same name.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { SqlJsStatic } from 'sql.js';

const WASM = 'sql-wasm.wasm';

let loading: Promise<SqlJsStatic> | undefined;

export function loadSqlite(): Promise<SqlJsStatic> {
  loading ??= (async () => {
    const { default: initSqlJs } = await import('sql.js');
    return initSqlJs({ wasmBinary: await wasmBytes() });
  })();
  return loading;
}

async function wasmBytes(): Promise<ArrayBuffer> {
  // Not import('node:sea'): a SEA's main script cannot import() at all, builtins included.
  const sea = process.getBuiltinModule('node:sea');
  if (sea.isSea()) return sea.getAsset(WASM);
  const bytes = readFileSync(createRequire(import.meta.url).resolve(`sql.js/dist/${WASM}`));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}
