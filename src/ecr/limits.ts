/**
 * How much of the ECR API an audit follows before it stops with an error (issue #11). An
 * endpoint (a VPC endpoint, LocalStack, a proxy, or a compromised one) that hands out ever-new
 * `nextToken`s, or answers every BatchGetImage with a new index of new children, would
 * otherwise be followed without end: 641 MB after 40 s and growing. Each cap sits well above
 * what ECR itself allows, so it only stops a listing that real ECR could not produce.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
 */
import { RegsizeError } from '../errors.js';

export interface EcrLimits {
  /** Pages of one DescribeImages or DescribeRepositories listing (1000 items each). @default 1000 */
  maxPages: number;
  /** Images (manifests, listed or read) of one repository. ECR's default quota is 100,000. @default 250000 */
  maxImages: number;
  /** Repositories of one registry (--all). @default 200000 */
  maxRepositories: number;
  /**
   * Rounds of BatchGetImage for index children that DescribeImages did not list (ECR lists
   * every child, so real registries need none; an index of indexes needs two). @default 3
   */
  maxIndexDepth: number;
  /** Manifests one index may list; multi-platform images with attestations list a few dozen. @default 1000 */
  maxIndexChildren: number;
}

export const DEFAULT_ECR_LIMITS: EcrLimits = { maxPages: 1000, maxImages: 250_000, maxRepositories: 200_000, maxIndexDepth: 3, maxIndexChildren: 1000 };

/** The error that ends a listing at a cap: which call, which cap, and what it means. */
export function capReached(operation: string, what: string, where?: string): RegsizeError {
  return new RegsizeError('AWS', `ECR ${operation}${where ? ` for ${where}` : ''} ${what}; regsize stops there, as no real ECR registry answers so (is --endpoint-url the ECR API?)`);
}
