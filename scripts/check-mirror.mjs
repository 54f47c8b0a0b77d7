#!/usr/bin/env node
// Every source file has its test at the mirror path (issue #12): src/X/Y.ts is tested by
// test/X/Y.test.ts, commands/X.ts by test/commands/X.test.ts. Prints each file without one and
// exits 1. A file that declares only types (interfaces, type aliases, type-only imports and
// re-exports) has no behaviour to test: it is found by parsing it, and listed as exempt.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Files with behaviour that are nonetheless exempt, each with why. Keep this short: a file
 * hard to test at its mirror path usually wants splitting.
 */
const EXEMPT = new Map([
  // (none yet)
]);

/** [source file, its mirror test], relative to the root. */
function pairs(root) {
  const out = [];
  for (const file of walk(root, 'src')) out.push([file, join('test', relative('src', file)).replace(/\.ts$/, '.test.ts')]);
  for (const file of walk(root, 'commands')) out.push([file, join('test', file).replace(/\.ts$/, '.test.ts')]);
  return out;
}

function walk(root, dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(root, join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [join(dir, e.name)] : []));
}

/** True when every top-level statement only declares or moves types. */
export function typeOnly(text, name = 'file.ts') {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  return source.statements.every((s) => {
    if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEmptyStatement(s)) return true;
    if (ts.isImportDeclaration(s)) return s.importClause?.isTypeOnly === true || onlyTypeSpecifiers(s.importClause?.namedBindings);
    if (ts.isExportDeclaration(s)) return s.isTypeOnly || (s.exportClause !== undefined && ts.isNamedExports(s.exportClause) && s.exportClause.elements.every((e) => e.isTypeOnly));
    return false;
  });
}

function onlyTypeSpecifiers(bindings) {
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** The files under root without a mirror test ([file, mirror]), and the types-only ones. */
export function mirrorReport(root = ROOT) {
  const missing = [];
  const typeFiles = [];
  for (const [file, mirror] of pairs(root)) {
    if (existsSync(join(root, mirror)) || EXEMPT.has(file)) continue;
    if (typeOnly(readFileSync(join(root, file), 'utf8'), file)) typeFiles.push(file);
    else missing.push([file, mirror]);
  }
  return { missing, typeFiles };
}

function main() {
  const { missing, typeFiles } = mirrorReport();
  if (typeFiles.length) process.stderr.write(`check-mirror: exempt, types only: ${typeFiles.join(', ')}\n`);
  for (const [file, why] of EXEMPT) process.stderr.write(`check-mirror: exempt, ${why}: ${file}\n`);
  if (missing.length === 0) {
    process.stderr.write('check-mirror: every source file has its mirror test\n');
    return;
  }
  const lines = missing.map(([file, mirror]) => `  ${file}  (expected ${mirror})\n`);
  process.stderr.write(`check-mirror: ${missing.length} source file(s) without a mirror test:\n${lines.join('')}`);
  process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
