import assert from 'node:assert/strict';
import { routeArgs } from '../../src/cli/route.js';

describe('default command routing', () => {
  const words = new Set(['compare', 'layers', 'diff', 'tags', 'ecr', 'report']);
  it('sends image references to compare', () => {
    assert.deepEqual(routeArgs(['python:3.11-slim', 'python:3.11-alpine'], words), ['compare', 'python:3.11-slim', 'python:3.11-alpine']);
    assert.deepEqual(routeArgs(['alpine', 'nginx'], words), ['compare', 'alpine', 'nginx']);
    assert.deepEqual(routeArgs(['--json', 'alpine'], words), ['compare', '--json', 'alpine']);
  });
  it('leaves commands, topics, help and version alone', () => {
    assert.deepEqual(routeArgs(['layers', 'python'], words), ['layers', 'python']);
    assert.deepEqual(routeArgs(['ecr', 'audit'], words), ['ecr', 'audit']);
    assert.deepEqual(routeArgs(['--help'], words), ['--help']);
    assert.deepEqual(routeArgs(['--version'], words), ['--version']);
    assert.deepEqual(routeArgs([], words), ['--help']);
    assert.deepEqual(routeArgs(['help', 'tags'], words), ['tags', '--help']);
  });
});
