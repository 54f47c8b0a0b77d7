/**
 * The AWS SDK's ECR client, loaded lazily: `@aws-sdk/client-ecr` and its credential chain
 * are imported only when an ECR host or `ecr` command is actually used, so every other
 * command starts without them. Also the one place where AWS errors become one-line
 * RegsizeErrors that say what to do.
 *
 * Retries: the SDK's adaptive mode (exponential backoff with jitter plus a client-side rate
 * limiter that slows down after a ThrottlingException), shared by every call of one client.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import { RegsizeError, UsageError } from '../errors.js';
import { REGION_RE } from './hosts.js';

export type EcrSdk = typeof import('@aws-sdk/client-ecr');

let sdk: Promise<EcrSdk> | undefined;

export function loadEcrSdk(): Promise<EcrSdk> {
  // regsize supports Node 20 (package.json engines); the SDK's notice that its releases
  // from 2027 on will need Node 22 is not actionable for a regsize user.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sdk ??= import('@aws-sdk/client-ecr');
  return sdk;
}

export interface EcrClientOptions {
  /** @default the SDK's: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region` */
  region?: string | undefined;
  /** A named profile of the shared config (SSO profiles included). @default AWS_PROFILE, then "default" */
  profile?: string | undefined;
  /** Another API endpoint: a VPC interface endpoint, LocalStack. */
  endpointUrl?: string | undefined;
  /** The FIPS API endpoint (api.ecr-fips.<region>.amazonaws.com). */
  fips?: boolean;
  /** Attempts per call, the first included. @default 8 */
  maxAttempts?: number;
  /** Per-request timeout in milliseconds. @default 30000 */
  timeoutMs?: number | undefined;
}

export interface EcrClientHandle {
  client: ECRClient;
  sdk: EcrSdk;
  /** The region the client talks to, as resolved (flag, environment or profile). */
  region: string;
  profile: string | undefined;
}

export function validateRegion(region: string, what = '--region'): string {
  if (!REGION_RE.test(region)) throw new UsageError('INVALID_INPUT', `invalid ${what} "${region}": AWS regions look like eu-west-1 or us-east-2`);
  return region;
}

export function validateEndpointUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError('INVALID_INPUT', `invalid --endpoint-url "${url}": give a full URL, e.g. https://vpce-0abc.api.ecr.eu-west-1.vpce.amazonaws.com or http://localhost:4566`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UsageError('INVALID_INPUT', `invalid --endpoint-url "${url}": only http and https URLs are supported`);
  return url;
}

/** An ECR API client with the standard credential chain; fails with a usage error when no region can be found. */
export async function createEcrClient(o: EcrClientOptions = {}): Promise<EcrClientHandle> {
  if (o.region !== undefined) validateRegion(o.region);
  if (o.endpointUrl !== undefined) validateEndpointUrl(o.endpointUrl);
  const loaded = await loadEcrSdk();
  const timeoutMs = o.timeoutMs ?? 30_000;
  const client = new loaded.ECRClient({
    ...(o.region ? { region: o.region } : {}),
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.endpointUrl ? { endpoint: o.endpointUrl } : {}),
    useFipsEndpoint: o.fips ?? false,
    retryMode: 'adaptive',
    maxAttempts: o.maxAttempts ?? 8,
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: Math.min(timeoutMs, 10_000) },
  });
  let region: string;
  try {
    region = await client.config.region();
  } catch (e) {
    client.destroy();
    throw ecrError(e, { operation: 'config', profile: o.profile });
  }
  if (!region) {
    client.destroy();
    throw noRegion(o.profile);
  }
  if (o.region === undefined) validateRegion(region, `region "${region}" from the AWS environment or profile; region`);
  return { client, sdk: loaded, region, profile: o.profile };
}

function noRegion(profile: string | undefined): UsageError {
  return new UsageError('INVALID_INPUT', `no AWS region: pass --region (e.g. --region eu-west-1), set AWS_REGION, or set "region" in ${profile ? `profile ${profile}` : 'your AWS profile'}`);
}

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

/** The IAM action each operation needs, for AccessDenied messages that do not name it. */
export function permissionFor(operation: string): string {
  return `ecr:${operation}`;
}

function where(ctx: EcrErrorContext): string {
  const parts = [ctx.registryId ? `registry ${ctx.registryId}` : 'your registry', ctx.region ? `in ${ctx.region}` : ''].filter(Boolean);
  return parts.join(' ');
}

function loginHint(profile: string | undefined): string {
  return profile ? `aws sso login --profile ${profile}` : 'aws sso login';
}

/**
 * Turns anything the SDK throws into a one-line RegsizeError. AWS error names are stable
 * (the `__type` of the AWS JSON protocol); messages are only mined for details (the
 * principal and action of an AccessDenied).
 */
export function ecrError(e: unknown, ctx: EcrErrorContext): RegsizeError {
  if (e instanceof RegsizeError) return e;
  const err = (e ?? {}) as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number; attempts?: number }; $retryable?: unknown };
  const name = err.name ?? '';
  const message = (err.message ?? String(e)).replace(/\s+/g, ' ').trim();
  const attempts = err.$metadata?.attempts;

  if (message === 'Region is missing') return noRegion(ctx.profile);
  // The SDK ends every SSO token failure (expired, unrefreshable, missing) with this advice.
  if (/To refresh this SSO session|SSO session .*(expired|invalid)|Token is expired/i.test(message)) {
    return new RegsizeError('CREDENTIALS', `the AWS SSO session${ctx.profile ? ` of profile ${ctx.profile}` : ''} has expired or is invalid; run: ${loginHint(ctx.profile)}`, { cause: e });
  }
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError' || /Could not load credentials/i.test(message)) {
    if (ctx.profile && /Could not load credentials from any providers|could not be found|not found in/i.test(message)) {
      return new RegsizeError(
        'CREDENTIALS',
        `no AWS credentials for profile ${ctx.profile}: check that the profile exists in the shared config (AWS_CONFIG_FILE, ~/.aws/config) and holds credentials or an SSO login (aws sso login --profile ${ctx.profile})`,
        { cause: e },
      );
    }
    if (/Could not load credentials from any providers/i.test(message) || (!ctx.profile && name === 'CredentialsProviderError')) {
      return new RegsizeError(
        'CREDENTIALS',
        'no AWS credentials found (environment, shared config and SSO profiles, container or instance role); run "aws configure" or "aws sso login", or pass --profile',
        { cause: e },
      );
    }
    return new RegsizeError('CREDENTIALS', `cannot load AWS credentials${ctx.profile ? ` of profile ${ctx.profile}` : ''}: ${message}`, { cause: e });
  }
  if (name === 'ExpiredTokenException' || name === 'ExpiredToken' || /security token included in the request is expired/i.test(message)) {
    return new RegsizeError('CREDENTIALS', `your AWS credentials have expired; refresh them (${loginHint(ctx.profile)}, or new temporary credentials)`, { cause: e });
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException' || name === 'InvalidClientTokenId' || name === 'SignatureDoesNotMatch') {
    return new RegsizeError(
      'CREDENTIALS',
      `AWS rejected your credentials${ctx.region ? ` in ${ctx.region}` : ''} (${name}); check the access key or profile, and that the region belongs to the account's partition (aws, aws-cn, aws-us-gov)`,
      { cause: e },
    );
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    const action = /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1] ?? permissionFor(ctx.operation);
    const principal = /User: (arn:\S+)/.exec(message)?.[1];
    const explicit = /explicit deny/i.test(message) ? ' (an explicit deny applies: check service control and permission-boundary policies)' : '';
    return new RegsizeError(
      'DENIED',
      `access denied: ${principal ?? 'your AWS identity'} may not ${action}${ctx.repository ? ` on repository ${ctx.repository}` : ''}${explicit}; allow ${action} in its IAM policy (or the repository policy)`,
      { cause: e },
    );
  }
  if (name === 'RepositoryNotFoundException') {
    const registryId = ctx.registryId ?? /registry with id '(\d{12})'/.exec(message)?.[1];
    return new RegsizeError(
      'NAME_UNKNOWN',
      `repository ${ctx.repository ?? '(unnamed)'} not found in ${where({ ...ctx, registryId })}; check the name, and the region (--region, AWS_REGION or the profile's region)`,
      { cause: e },
    );
  }
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException') {
    return new RegsizeError('RATE_LIMITED', `ECR throttled ${ctx.operation}${attempts ? ` ${attempts} times in a row` : ''}; lower --concurrency or try again later`, { cause: e, retryable: true });
  }
  if (name === 'InvalidParameterException' || name === 'ValidationException') {
    return new UsageError('INVALID_INPUT', `ECR rejected ${ctx.operation}: ${message}`);
  }
  if (name === 'LimitExceededException') {
    return new RegsizeError('RATE_LIMITED', `ECR service limit reached during ${ctx.operation}: ${message}`, { cause: e });
  }
  const code = err.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (name === 'TimeoutError' || name === 'RequestTimeout' || (code && /^E[A-Z]+$/.test(code)) || /NetConnectNotAllowed/.test(name)) {
    const host = ctx.endpoint ?? (ctx.region ? `api.ecr.${ctx.region}.amazonaws.com` : 'the ECR API');
    const hint = code === 'ENOTFOUND' && ctx.region ? `; is "${ctx.region}" a region where ECR runs?` : '; check the network, --region and --endpoint-url';
    return new RegsizeError('NETWORK', `cannot reach ${host}${code ? ` (${code})` : ''}${hint}`, { cause: e, retryable: true });
  }
  const status = err.$metadata?.httpStatusCode;
  return new RegsizeError('AWS', `ECR ${ctx.operation} failed${name && name !== 'Error' ? ` with ${name}` : ''}${status ? ` (HTTP ${status})` : ''}: ${message}`, {
    cause: e,
    retryable: status !== undefined && status >= 500,
  });
}
