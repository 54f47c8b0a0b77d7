#!/usr/bin/env node
// Entry point. Routes `regsize IMAGE...` to the compare command before oclif parses anything.
import { execute } from '@oclif/core';
import { commandWords, routeArgs } from '../dist/src/cli/route.js';

const root = new URL('..', import.meta.url).pathname;
const args = routeArgs(process.argv.slice(2), commandWords(root));
await execute({ args, dir: import.meta.url });
