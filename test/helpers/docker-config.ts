/** Mocha hooks that point DOCKER_CONFIG at an empty config for each test, and restore it after. */
import { emptyDockerConfig } from './cli.js';

export function useEmptyDockerConfig(): void {
  const saved = process.env.DOCKER_CONFIG;
  beforeEach(() => {
    process.env.DOCKER_CONFIG = emptyDockerConfig();
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved;
  });
}
