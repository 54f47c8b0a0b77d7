/**
 * The base of every command: --json support, one-line error messages, and the documented
 * exit codes in both human and --json mode (oclif's default catch would turn every error
 * into exit 1 and print a stack).
 */
import { Command, Errors, type Interfaces } from '@oclif/core';
import { isRegsizeError, type ErrorCode } from '../errors.js';
import { createCache } from '../cache/factory.js';
import { EcrCredentialStore } from '../ecr/credentials.js';
import { DockerConfigCredentials, dockerConfigPath, helperRunner } from '../transport/credentials.js';
import { createSession, type Session, type SessionOptions } from '../session.js';
import { destroySharedDispatcher } from '../transport/shared-dispatcher.js';
import { stderrLogger } from '../log.js';
import { parseDurationMs } from '../units.js';
import { jsonTerminalSafe } from '../util/terminal-safe.js';
import { stderrLine, stderrTrace } from './error-line.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { oneLineMessage } from './usage-message.js';

export interface RegistryFlagValues {
  'plain-http': boolean;
  timeout: number;
  'cache-dir'?: string | undefined;
  'no-cache': boolean;
  'tag-ttl': string;
  verbose: boolean;
  debug: boolean;
  /** Requests at once to one HTTP/1.1 registry (HTTP/2 ones take their stream limit). */
  concurrency?: number | undefined;
  /** awsFlags: credentials for ECR references. */
  profile?: string | undefined;
  region?: string | undefined;
}

/** oclif's FlagOutput and ArgOutput (not exported by @oclif/core). */
type Parsed = Record<string, unknown>;

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true;

  /**
   * --debug as parsed. An argument that merely reads "--debug" (a --filter value, a word after
   * `--`) is not the flag; a run whose flags did not parse never prints a trace (its error is
   * the user's input, never a bug).
   */
  private debugRequested = false;

  protected override async parse<F extends Parsed, B extends Parsed, A extends Parsed>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv);
    this.debugRequested = (parsed.flags as { debug?: unknown }).debug === true;
    return parsed;
  }

  /** Builds the registry session from the shared registry flags. */
  protected session(flags: RegistryFlagValues, extra: Partial<SessionOptions> = {}): Session {
    const logger = stderrLogger(flags.verbose);
    const cache = flags['no-cache'] ? undefined : createCache({ dir: flags['cache-dir'], tagTtlMs: parseDurationMs(flags['tag-ttl'], '--tag-ttl'), logger });
    // ECR hosts get GetAuthorizationToken credentials (the AWS SDK loads only when one is used);
    // with no AWS credentials at all, a `docker login` to the ECR host still works.
    const ecr = new EcrCredentialStore({ profile: flags.profile, region: flags.region, logger, timeoutMs: flags.timeout * 1000, fallback: new DockerConfigCredentials(dockerConfigPath(), helperRunner({ timeoutMs: flags.timeout * 1000 })) });
    return createSession({
      timeoutMs: flags.timeout * 1000,
      plainHttp: flags['plain-http'],
      verbose: flags.verbose,
      ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
      logger,
      ...(cache ? { cache } : {}),
      ...extra,
      credentialStores: [ecr, ...(extra.credentialStores ?? [])],
    });
  }

  /** --json output: exact JSON, with nothing in it a terminal would act on (see jsonTerminalSafe). */
  protected override logJson(json: unknown): void {
    process.stdout.write(`${jsonTerminalSafe(JSON.stringify(json, null, 2))}\n`);
  }

  /** After every command, answered or failed: the process exits as soon as its output is written. */
  protected override async finally(err: Error | undefined): Promise<unknown> {
    destroySharedDispatcher();
    return super.finally(err);
  }

  protected override async catch(err: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<void> {
    if (err instanceof Errors.ExitError) throw err;
    let code: ErrorCode;
    let exit: number;
    if (isRegsizeError(err)) {
      code = err.code;
      exit = exitCodeFor(err.code);
    } else if (err instanceof Errors.CLIError) {
      // oclif's own parse errors (unknown flags, bad flag values, missing arguments) are CLIErrors.
      code = 'INVALID_INPUT';
      exit = ExitCode.USAGE;
    } else {
      code = 'INTERNAL';
      exit = ExitCode.FAILED;
    }
    const message = oneLineMessage(err);
    if (this.jsonEnabled()) this.logJson({ error: { code, message } });
    stderrLine(message);
    if (this.debugRequested && err.stack) stderrTrace(err.stack);
    else if (code === 'INTERNAL') stderrLine('this is a bug; run again with --debug and report the trace');
    process.exitCode = exit;
  }
}
