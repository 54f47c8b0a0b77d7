/**
 * The results of a run as data, and the small readings every part of the report shares
 * (medians of start-up probes, the median run of a measurement, how milliseconds are printed).
 */
import type { ProcResult, Sample } from './measure.js';
import { stats } from './measure.js';
import type { InstallResult } from './install.js';
import type { Scenario, StartupId, StartupProbe } from './scenarios.js';

export interface ScenarioOutcome {
  scenario: Scenario;
  samples: Sample[];
  /** The first failure, when a run failed (the scenario is then reported, not averaged). */
  error?: string;
}

export interface BenchResults {
  rttMs: number;
  bandwidth: { label: string; bitsPerSecond: number };
  reps: number;
  command: string;
  machine: [string, string][];
  images: { compare: string[]; layers: string; tagsRepo: string; tags: number; releases: number };
  outcomes: ScenarioOutcome[];
  startup: StartupProbe[];
  /** One extra cold run of each with --verbose, for the request timelines. */
  evidence: { compare?: Sample; tags?: Sample };
  /** A new TLS connection and one request through the link, from the driver (3 RTT on the link). */
  linkCheck: number[];
  durationMs: number;
  /** The local benches (docker-archive compression, files listing): sections of their own. */
  local?: LocalSection[];
  /** Install time from the packed tarball (bench/install.ts); absent when skipped. */
  install?: InstallResult;
  /** Said at the top of the report: the run is not to be trusted (e.g. the build changed during it). */
  warning?: string;
}

export const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');

/** A measurement with usable samples, or undefined (unavailable, skipped or failed). */
export function outcome(r: BenchResults, id: string): ScenarioOutcome | undefined {
  const o = r.outcomes.find((x) => x.scenario.id === id);
  return o && o.samples.length > 0 && !o.error && !o.scenario.unavailable ? o : undefined;
}

/** The sample whose time is the median (for facts that belong to one run). */
export function medianSample(o: ScenarioOutcome): Sample {
  const sorted = [...o.samples].sort((a, b) => a.ms - b.ms);
  return sorted[Math.floor((sorted.length - 1) / 2)] as Sample;
}

export const wall = (ps: ProcResult[]) => stats(ps.map((p) => p.exitedAt - p.spawnedAt));

/** Median wall time of a start-up probe; NaN when it failed (figures built on it then read "n/a"). */
export function startupMedian(r: BenchResults, id: StartupId): number {
  const p = r.startup.find((x) => x.id === id);
  return !p || p.error || p.runs.length === 0 ? NaN : wall(p.runs).median;
}

/** One goal line of the report: held, missed, or not measured. */
export interface Goal {
  goal: string;
  measured: string;
  /** undefined: could not be measured in this run. */
  holds: boolean | undefined;
  /** For a miss: the facts found, from the request log. */
  why?: string[];
  /** Context worth knowing whether or not the goal holds. */
  notes?: string[];
}

/** A bench with a section of its own (the local sources, the files listing). */
export interface LocalSection {
  id: string;
  title: string;
  /** What was measured on what, one paragraph. */
  setup: string;
  columns: string[];
  rows: string[][];
  goals: Goal[];
  /** Set when the bench failed, with why (the run then exits 1). */
  error?: string;
}
