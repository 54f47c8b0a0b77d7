import { Args } from '@oclif/core';
import { BaseCommand } from '../src/cli/base-command.js';
import { filesFlags, runFiles } from '../src/cli/files-flags.js';
import { formatFlag, platformFlag, registryFlags, unitsFlag } from '../src/cli/flags.js';
import { analyseImage, type FilesResult } from '../src/files/analyse.js';
import { parseImageInput } from '../src/source/parse.js';

export default class Files extends BaseCommand {
  static override summary = 'What is inside the bytes: largest files and folders, wasted bytes, hints with their fix, and packages, without a pull.';
  static override description =
    'Streams each layer through a tar parser in memory (nothing is written to disk), applies whiteouts, and reports the final filesystem, the bytes later layers delete or overwrite, and what to change. Layer listings are cached by digest: a second run downloads nothing. Use `diff BASE IMAGE --files` to read only the layers IMAGE adds.';
  static override examples = [
    '<%= config.bin %> <%= command.id %> ghcr.io/org/app:1.2',
    '<%= config.bin %> <%= command.id %> python:3.11-slim --packages --max-download 100MB',
    '<%= config.bin %> <%= command.id %> ghcr.io/org/app:1.2 --format markdown',
  ];
  static override args = {
    image: Args.string({ description: 'image reference, e.g. ghcr.io/org/app:1.2', required: true }),
  };
  static override flags = {
    platform: platformFlag(),
    units: unitsFlag(),
    format: formatFlag,
    ...filesFlags,
    ...registryFlags,
  };

  async run(): Promise<FilesResult> {
    const { args, flags } = await this.parse(Files);
    const ref = parseImageInput(args.image);
    const { client, logger } = this.session(flags);
    return runFiles((o) => analyseImage(client, ref, { ...o, platform: flags.platform }), flags, logger, { human: !this.jsonEnabled(), log: (t) => this.log(t) });
  }
}
