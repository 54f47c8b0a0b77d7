/**
 * The one place where what the AWS SDK throws becomes a one-line RegsizeError that says what to
 * do, read from one table: each row names the failure (the AWS error name, i.e. the `__type` of
 * the AWS JSON protocol, or an SDK-side error the SDK names only in its message), and gives the
 * RegsizeError code, whether retrying can help, and the message. The first row that matches wins,
 * so the rows run from the most particular to the most general. Messages are mined only for
 * details (the principal and action of an AccessDenied, the account of a missing repository).
 */
import { type ErrorCode, RegsizeError, UsageError } from '../errors.js';

export interface EcrErrorContext {
  /** The API operation that failed (DescribeImages), or "config"/"credentials". */
  operation: string;
  repository?: string | undefined;
  registryId?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  /** The endpoint in use, for network errors. */
  endpoint?: string | undefined;
}

/** What is known of one failure: the SDK error's fields, and where it happened. */
interface Failure {
  name: string;
  /** One line. */
  message: string;
  /** A Node network code (ECONNREFUSED), on the error or its cause. */
  netCode: string | undefined;
  status: number | undefined;
  attempts: number | undefined;
  ctx: EcrErrorContext;
}

interface ErrorRule {
  /** What the row is about, for tests and readers. */
  failure: string;
  matches: (f: Failure) => boolean;
  code: ErrorCode;
  retryable: boolean | ((f: Failure) => boolean);
  /** A bad argument the user can fix (exit 2), rather than a failure of the run. */
  usage?: true;
  text: (f: Failure) => string;
}

const named =
  (...names: string[]) =>
  (f: Failure): boolean =>
    names.includes(f.name);

function loginHint(profile: string | undefined): string {
  return profile ? `aws sso login --profile ${profile}` : 'aws sso login';
}

function where(ctx: EcrErrorContext): string {
  return [ctx.registryId ? `registry ${ctx.registryId}` : 'your registry', ctx.region ? `in ${ctx.region}` : ''].filter(Boolean).join(' ');
}

export function noRegionMessage(profile: string | undefined): string {
  return `no AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set "region" in ${profile ? `profile ${profile}` : 'your AWS profile'}`;
}

/** The IAM action each operation needs, for AccessDenied messages that do not name it. */
export function permissionFor(operation: string): string {
  return `ecr:${operation}`;
}

const CREDENTIAL_PROVIDER = (f: Failure) => f.name === 'CredentialsProviderError' || f.name === 'TokenProviderError' || /Could not load credentials/i.test(f.message);
const NO_PROVIDER = /Could not load credentials from any providers/i;

/** The table, most particular row first. */
export const ECR_ERROR_RULES: readonly ErrorRule[] = [
  { failure: 'no region', matches: (f) => f.message === 'Region is missing', code: 'INVALID_INPUT', usage: true, retryable: false, text: (f) => noRegionMessage(f.ctx.profile) },
  {
    failure: 'SSO session expired',
    // The SDK ends every SSO token failure (expired, unrefreshable, missing) with this advice.
    matches: (f) => /To refresh this SSO session|SSO session .*(expired|invalid)|Token is expired/i.test(f.message),
    code: 'CREDENTIALS',
    retryable: false,
    text: (f) => `the AWS SSO session${f.ctx.profile ? ` of profile ${f.ctx.profile}` : ''} has expired or is invalid; run: ${loginHint(f.ctx.profile)}`,
  },
  {
    failure: 'profile without credentials',
    matches: (f) => CREDENTIAL_PROVIDER(f) && f.ctx.profile !== undefined && /Could not load credentials from any providers|could not be found|not found in/i.test(f.message),
    code: 'CREDENTIALS',
    retryable: false,
    text: (f) =>
      `no AWS credentials for profile ${f.ctx.profile}: check that the profile exists in the shared config (AWS_CONFIG_FILE, ~/.aws/config) and holds credentials or an SSO login (aws sso login --profile ${f.ctx.profile})`,
  },
  {
    failure: 'no credentials',
    matches: (f) => CREDENTIAL_PROVIDER(f) && (NO_PROVIDER.test(f.message) || (!f.ctx.profile && f.name === 'CredentialsProviderError')),
    code: 'CREDENTIALS',
    retryable: false,
    text: () => 'no AWS credentials found (environment, shared config and SSO profiles, container or instance role); run "aws configure" or "aws sso login", or pass --profile',
  },
  {
    failure: 'credentials unreadable',
    matches: CREDENTIAL_PROVIDER,
    code: 'CREDENTIALS',
    retryable: false,
    text: (f) => `cannot load AWS credentials${f.ctx.profile ? ` of profile ${f.ctx.profile}` : ''}: ${f.message}`,
  },
  {
    failure: 'credentials expired',
    matches: (f) => named('ExpiredTokenException', 'ExpiredToken')(f) || /security token included in the request is expired/i.test(f.message),
    code: 'CREDENTIALS',
    retryable: false,
    text: (f) => `your AWS credentials have expired; refresh them (${loginHint(f.ctx.profile)}, or new temporary credentials)`,
  },
  {
    failure: 'credentials rejected',
    matches: named('UnrecognizedClientException', 'InvalidSignatureException', 'InvalidClientTokenId', 'SignatureDoesNotMatch'),
    code: 'CREDENTIALS',
    retryable: false,
    text: (f) =>
      `AWS rejected your credentials${f.ctx.region ? ` in ${f.ctx.region}` : ''} (${f.name}); check the access key or profile, and that the region belongs to the account's partition (aws, aws-cn, aws-us-gov)`,
  },
  {
    failure: 'access denied',
    matches: named('AccessDeniedException', 'AccessDenied'),
    code: 'DENIED',
    retryable: false,
    text: (f) => {
      const action = /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(f.message)?.[1] ?? permissionFor(f.ctx.operation);
      const principal = /User: (arn:\S+)/.exec(f.message)?.[1];
      const explicit = /explicit deny/i.test(f.message) ? ' (an explicit deny applies: check service control and permission-boundary policies)' : '';
      return `access denied: ${principal ?? 'your AWS identity'} may not ${action}${f.ctx.repository ? ` on repository ${f.ctx.repository}` : ''}${explicit}; allow ${action} in its IAM policy (or the repository policy)`;
    },
  },
  {
    failure: 'repository not found',
    matches: named('RepositoryNotFoundException'),
    code: 'NAME_UNKNOWN',
    retryable: false,
    text: (f) => {
      const registryId = f.ctx.registryId ?? /registry with id '(\d{12})'/.exec(f.message)?.[1];
      return `repository ${f.ctx.repository ?? '(unnamed)'} not found in ${where({ ...f.ctx, registryId })}; check the name, and the region (--region, AWS_REGION or the profile's region)`;
    },
  },
  {
    failure: 'throttled',
    matches: named('ThrottlingException', 'TooManyRequestsException'),
    code: 'RATE_LIMITED',
    retryable: true,
    text: (f) => `ECR throttled ${f.ctx.operation}${f.attempts ? ` ${f.attempts} times in a row` : ''}; lower --concurrency or try again later`,
  },
  {
    failure: 'invalid parameter',
    matches: named('InvalidParameterException', 'ValidationException'),
    code: 'INVALID_INPUT',
    usage: true,
    retryable: false,
    text: (f) => `ECR rejected ${f.ctx.operation}: ${f.message}`,
  },
  {
    // A quota of the account (repositories, rules): waiting does not lift it.
    failure: 'service limit',
    matches: named('LimitExceededException'),
    code: 'RATE_LIMITED',
    retryable: false,
    text: (f) => `ECR service limit reached during ${f.ctx.operation}: ${f.message}`,
  },
  {
    failure: 'network',
    matches: (f) => named('TimeoutError', 'RequestTimeout')(f) || (f.netCode !== undefined && /^E[A-Z]+$/.test(f.netCode)) || /NetConnectNotAllowed/.test(f.name),
    code: 'NETWORK',
    retryable: true,
    text: (f) => {
      const host = f.ctx.endpoint ?? (f.ctx.region ? `api.ecr.${f.ctx.region}.amazonaws.com` : 'the ECR API');
      const hint = f.netCode === 'ENOTFOUND' && f.ctx.region ? `; is "${f.ctx.region}" a region where ECR runs?` : '; check the network, --region and --endpoint-url';
      return `cannot reach ${host}${f.netCode ? ` (${f.netCode})` : ''}${hint}`;
    },
  },
  {
    failure: 'any other AWS error',
    matches: () => true,
    code: 'AWS',
    // A server-side fault may pass; a 4xx the table does not know will not.
    retryable: (f) => f.status !== undefined && f.status >= 500,
    text: (f) => `ECR ${f.ctx.operation} failed${f.name && f.name !== 'Error' ? ` with ${f.name}` : ''}${f.status ? ` (HTTP ${f.status})` : ''}: ${f.message}`,
  },
];

function failureOf(e: unknown, ctx: EcrErrorContext): Failure {
  const err = (e ?? {}) as { name?: string; message?: string; code?: string; cause?: { code?: string }; $metadata?: { httpStatusCode?: number; attempts?: number } };
  return {
    name: err.name ?? '',
    message: (err.message ?? String(e)).replace(/\s+/g, ' ').trim(),
    netCode: err.code ?? err.cause?.code,
    status: err.$metadata?.httpStatusCode,
    attempts: err.$metadata?.attempts,
    ctx,
  };
}

/** Turns anything the SDK throws into a one-line RegsizeError (a RegsizeError passes through). */
export function ecrError(e: unknown, ctx: EcrErrorContext): RegsizeError {
  if (e instanceof RegsizeError) return e;
  const f = failureOf(e, ctx);
  // The last row matches everything, so there is always one.
  const rule = ECR_ERROR_RULES.find((r) => r.matches(f)) as ErrorRule;
  const message = rule.text(f);
  if (rule.usage) return new UsageError(rule.code, message);
  return new RegsizeError(rule.code, message, { cause: e, retryable: typeof rule.retryable === 'function' ? rule.retryable(f) : rule.retryable });
}
