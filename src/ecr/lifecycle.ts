/**
 * `--suggest-lifecycle`: an ECR lifecycle policy that removes what the audit calls
 * reclaimable (untagged images), and what applying it would free, computed with the same
 * layer arithmetic as the audit.
 *
 * The rule expires untagged images a day after their push rather than at once: a
 * multi-platform push uploads its platform manifests untagged before the index that tags
 * them, and a rule with no grace period could expire them mid-push. ECR does not delete a
 * manifest that a standing index references, so children of tagged indexes are safe.
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html
 */
import { bytesFreedBy, type ImageGroup } from './storage-math.js';

export const UNTAGGED_GRACE_DAYS = 1;

export interface LifecyclePolicy {
  rules: {
    rulePriority: number;
    description: string;
    selection: { tagStatus: 'untagged'; countType: 'sinceImagePushed'; countUnit: 'days'; countNumber: number };
    action: { type: 'expire' };
  }[];
}

export interface LifecycleSuggestion {
  policy: LifecyclePolicy;
  /** Images (as the audit counts them) the policy would expire today. */
  expiresCount: number;
  /** Bytes that expiring them frees: layers no remaining image holds. null when layers were not read. */
  freesBytes: number | null;
}

export function suggestLifecyclePolicy(groups: ImageGroup[], now: Date, layersRead: boolean): LifecycleSuggestion {
  const cutoff = now.getTime() - UNTAGGED_GRACE_DAYS * 86_400_000;
  const expires = (g: ImageGroup) => !g.tagged && g.pushedAt !== undefined && g.pushedAt.getTime() < cutoff;
  return {
    policy: {
      rules: [
        {
          rulePriority: 1,
          description: `Expire untagged images ${UNTAGGED_GRACE_DAYS} day after push (suggested by regsize ecr audit)`,
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: UNTAGGED_GRACE_DAYS },
          action: { type: 'expire' },
        },
      ],
    },
    expiresCount: groups.filter(expires).length,
    freesBytes: layersRead ? bytesFreedBy(groups, expires) : null,
  };
}
