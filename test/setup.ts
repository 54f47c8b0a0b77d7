/**
 * Loaded before every test file (see .mocharc.json): no test may reach the internet. nock
 * refuses every host but loopback, where the tests' own registries and servers listen.
 */
import nock from 'nock';

nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(host));
