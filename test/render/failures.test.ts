import assert from 'node:assert/strict';
import { failureLines } from '../../src/render/failures.js';

describe('failure lines on stderr', () => {
  it('name the image as typed, and show a registry message\'s control characters instead of obeying them', () => {
    const [line, ...rest] = failureLines([{ reference: 'python:3.99', error: { code: 'REGISTRY_ERROR', message: 'bad \x1b]0;pwned\x07 answer\nforged line' } }]);
    assert.equal(rest.length, 0);
    assert.equal(line, 'regsize: python:3.99: bad \\x1b]0;pwned\\x07 answer forged line [REGISTRY_ERROR]');
  });

  it('say a failure several images share once, naming each image', () => {
    const error = { code: 'NETWORK', message: 'connect ECONNREFUSED' };
    assert.deepEqual(failureLines([{ reference: 'a:1', error }, { reference: 'b:2', error }]), ['regsize: registry-1.docker.io (2 images: a:1, b:2): connect ECONNREFUSED [NETWORK]']);
  });
});
