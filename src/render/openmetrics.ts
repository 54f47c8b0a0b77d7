/**
 * The report as the OpenMetrics / Prometheus text exposition, for node_exporter's textfile
 * collector (`regsize report --format openmetrics > /var/lib/node_exporter/regsize.prom`) and
 * for a Pushgateway (`--pushgateway URL`). Every family is a gauge in bytes (or a count) with
 * HELP and TYPE lines; a figure regsize does not know (an image that failed, a repository whose
 * layers could not be read, an uncompressed size the report did not measure) has no sample
 * rather than a wrong one. Label values are the registry's and the config's text, escaped as
 * the format requires (backslash, double quote, line feed).
 * https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
import { isReportError, isRepositoryError, type ReportImage, type ReportRepository, type ReportResult } from '../report/model.js';

interface Family<T> {
  name: string;
  help: string;
  labels: (e: T) => Record<string, string>;
  value: (e: T) => number | null | undefined;
}

const IMAGE_FAMILIES: Family<ReportImage>[] = [
  { name: 'regsize_image_compressed_bytes', help: 'Compressed size of the image (the sum of its layers, what a pull downloads), bytes.', labels: imageLabels, value: (e) => e.compressedSize },
  { name: 'regsize_image_uncompressed_bytes', help: 'Uncompressed size of the image (the layer tars), bytes; absent when not known.', labels: imageLabels, value: (e) => e.uncompressedSize },
  { name: 'regsize_image_budget_bytes', help: 'Size budget of the image (maxSize in the report config), bytes; absent without one.', labels: imageLabels, value: (e) => e.budget?.maxSize },
  { name: 'regsize_image_layers', help: 'Number of layers of the image.', labels: imageLabels, value: (e) => e.layers.length },
];

const REPOSITORY_FAMILIES: Family<ReportRepository>[] = [
  { name: 'regsize_ecr_repository_stored_bytes', help: 'Bytes an ECR repository stores, each distinct layer counted once.', labels: repositoryLabels, value: (e) => e.uniqueSize },
  {
    name: 'regsize_ecr_repository_reclaimable_bytes',
    help: 'Bytes deleting the untagged images of an ECR repository would free.',
    labels: repositoryLabels,
    value: (e) => e.reclaimableUntaggedSize,
  },
];

function imageLabels(e: ReportImage): Record<string, string> {
  return { image: e.name, platform: e.platform };
}

function repositoryLabels(e: ReportRepository): Record<string, string> {
  return { repository: e.repositoryName, region: e.region };
}

/** Backslash, double quote and line feed, as both text formats require inside a label value. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function family<T>(f: Family<T>, entries: T[]): string[] {
  const lines = [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`];
  // One sample per label set: an image listed twice (images: and tags:) is measured once.
  const seen = new Set<string>();
  for (const e of entries) {
    const v = f.value(e);
    if (v === null || v === undefined) continue;
    const labels = Object.entries(f.labels(e)).map(([k, val]) => `${k}="${escapeLabelValue(val)}"`).join(',');
    if (seen.has(labels)) continue;
    seen.add(labels);
    lines.push(`${f.name}{${labels}} ${v}`);
  }
  return lines;
}

/** The whole exposition, ending with `# EOF` (a comment to the Prometheus text parser). */
export function renderOpenMetrics(r: ReportResult): string {
  const images = r.images.filter((e): e is ReportImage => !isReportError(e));
  const repositories = r.repositories.filter((e): e is ReportRepository => !isRepositoryError(e));
  const lines = [...IMAGE_FAMILIES.flatMap((f) => family(f, images)), ...REPOSITORY_FAMILIES.flatMap((f) => family(f, repositories)), '# EOF'];
  return `${lines.join('\n')}\n`;
}
