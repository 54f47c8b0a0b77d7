import assert from 'node:assert/strict';
import { defaultCacheDir, defaultHistoryPath, dockerConfigDir } from '../src/paths.js';

describe('paths: where regsize and docker keep their files', () => {
  it('the Docker config folder: $DOCKER_CONFIG, else ~/.docker, an empty value counting as unset (as the docker CLI)', () => {
    assert.equal(dockerConfigDir({ DOCKER_CONFIG: '/etc/dockercfg', HOME: '/home/u' }), '/etc/dockercfg');
    assert.equal(dockerConfigDir({ HOME: '/home/u' }), '/home/u/.docker');
    assert.equal(dockerConfigDir({ DOCKER_CONFIG: '', HOME: '/home/u' }), '/home/u/.docker');
  });

  it('the cache and the history follow XDG, ignoring a relative XDG_* value as the spec says', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/u', HOME: '/home/u' }), '/var/cache/u/regsize');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.cache/regsize');
    assert.equal(defaultHistoryPath({ XDG_DATA_HOME: '/data', HOME: '/home/u' }), '/data/regsize/history.db');
    assert.equal(defaultHistoryPath({ HOME: '/home/u' }), '/home/u/.local/share/regsize/history.db');
  });
});
