/**
 * The CI gates of compare and diff (--max-size, --max-increase) applied to a result: one
 * warning per image over a gate, and the `gates` object --json carries. No gate flag, no
 * report (and no `gates` key in the JSON). A failed gate means exit 3 (see exit-codes.ts).
 */
import type { Logger } from '../log.js';
import { type CompareResult, type ImageEntry, isErrorEntry } from '../sizing/compare.js';
import type { DiffResult } from '../sizing/diff.js';
import { checkGrowth, type GateReport, type GrowthLimit, growthMessage, increasesOverFirst } from '../sizing/growth-gate.js';
import { formatBytes, type Units, unitsOf } from '../units.js';
import type { SizeLimit } from './flags.js';

export interface CompareGateFlags {
  'max-size'?: SizeLimit | undefined;
  'max-increase'?: GrowthLimit | undefined;
  units: Units;
}

/**
 * compare's gates: --max-size holds every sized image to the limit; --max-increase holds every
 * image to the first one given (`first`, as the user wrote it), platform by platform.
 */
export function compareGates(result: CompareResult, first: string | undefined, flags: CompareGateFlags, logger: Logger): GateReport | undefined {
  const max = flags['max-size'];
  const limit = flags['max-increase'];
  if (max === undefined && limit === undefined) return undefined;
  const sized = result.images.filter((e): e is ImageEntry => !isErrorEntry(e));
  const failed: GateReport['failed'] = [];
  if (max !== undefined) {
    const over = sized.filter((e) => e.compressedSize > max.bytes);
    // The size in the units the limit was written in, so "2KiB" is answered in KiB.
    for (const e of over) logger.warn(`${e.reference} (${e.platform}) is ${formatBytes(e.compressedSize, unitsOf(max.label))}, over --max-size ${max.label}`);
    if (over.length) failed.push('max-size');
  }
  if (limit === undefined) return { failed };
  const increases = increasesOverFirst(
    sized.filter((e) => e.reference === first),
    sized.filter((e) => e.reference !== first),
    limit,
  );
  const grew = increases.filter((c) => c.exceeded);
  for (const c of grew) logger.warn(growthMessage(c.image, c.base, c, flags.units));
  if (grew.length) failed.push('max-increase');
  return { failed, increases };
}

/** diff's gate: --max-increase holds IMAGE to BASE. */
export function diffGate(result: DiffResult, limit: GrowthLimit | undefined, units: Units, logger: Logger): GateReport | undefined {
  if (limit === undefined) return undefined;
  const { image, base } = result;
  const check = { image: image.reference, base: base.reference, platform: image.platform, ...checkGrowth(base.compressedSize, image.compressedSize, limit) };
  if (check.exceeded) logger.warn(growthMessage(check.image, check.base, check, units));
  return { failed: check.exceeded ? ['max-increase'] : [], increases: [check] };
}

/** Whether any gate of a report failed. */
export function gatesFailed(gates: GateReport | undefined): boolean {
  return (gates?.failed.length ?? 0) > 0;
}
