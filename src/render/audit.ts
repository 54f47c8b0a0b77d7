/**
 * Output of `regsize ecr audit`: a table (plain or markdown) with one row per repository,
 * the largest images of each, optional lifecycle policies; or CSV with exact bytes, one row
 * per repository, for spreadsheets.
 */
import { type AuditResult, isAuditError, type RepositoryAudit } from '../ecr/audit.js';
import { terminalSafe } from '../util/terminal-safe.js';
import { renderCsv } from './csv.js';
import { literal, markdownCode } from './markdown-text.js';
import { formatDollars } from './money.js';
import { shellQuote } from './shell-quote.js';
import { type Column, renderTable, type TableStyle } from './table.js';
import { formatBytes, type Units } from '../units.js';

export interface AuditRenderOptions {
  units: Units;
  style: TableStyle;
}

function formatCost(dollars: number | null): string {
  return dollars === null ? 'n/a' : formatDollars(dollars);
}

function bytesOrNa(n: number | null, units: Units): string {
  return n === null ? 'n/a' : formatBytes(n, units);
}

function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : 'never';
}

export function renderAudit(result: AuditResult, o: AuditRenderOptions): string {
  const ok = result.repositories.filter((r): r is RepositoryAudit => !isAuditError(r));
  const staleDays = ok[0]?.staleDays;
  const columns: Column[] = [
    { header: 'REPOSITORY', maxWidth: 48 },
    { header: 'IMAGES', align: 'right' },
    { header: 'TAGGED', align: 'right' },
    { header: 'UNTAGGED', align: 'right' },
    { header: 'API SUM', align: 'right' },
    { header: 'STORED', align: 'right' },
    { header: 'UNTAGGED FREES', align: 'right' },
    { header: staleDays ? `STALE >${staleDays}D` : 'STALE', align: 'right' },
    { header: 'STALE FREES', align: 'right' },
    { header: '$/MONTH', align: 'right' },
  ];
  const rows = ok.map((r) => [
    literal(r.repositoryName, o.style),
    String(r.imageCount),
    String(r.taggedCount),
    String(r.untaggedCount),
    formatBytes(r.totalSize, o.units),
    bytesOrNa(r.uniqueSize, o.units),
    bytesOrNa(r.reclaimableUntaggedSize, o.units),
    String(r.staleCount),
    bytesOrNa(r.reclaimableStaleSize, o.units),
    formatCost(r.monthlyCost),
  ]);
  if (ok.length > 1) {
    const total = (pick: (r: RepositoryAudit) => number | null) => (ok.some((r) => pick(r) === null) ? null : ok.reduce((s, r) => s + (pick(r) as number), 0));
    rows.push([
      `TOTAL (${ok.length} repositories)`,
      String(total((r) => r.imageCount)),
      String(total((r) => r.taggedCount)),
      String(total((r) => r.untaggedCount)),
      formatBytes(total((r) => r.totalSize) as number, o.units),
      bytesOrNa(total((r) => r.uniqueSize), o.units),
      bytesOrNa(total((r) => r.reclaimableUntaggedSize), o.units),
      String(total((r) => r.staleCount)),
      bytesOrNa(total((r) => r.reclaimableStaleSize), o.units),
      formatCost(ok.some((r) => r.monthlyCost === null) ? null : Math.round(ok.reduce((s, r) => s + (r.monthlyCost as number), 0) * 10_000) / 10_000),
    ]);
  }
  const parts: string[] = [];
  if (rows.length) parts.push(renderTable(columns, rows, o.style).trimEnd());
  if (ok.length) {
    const notes = ['STORED counts each layer once; API SUM adds up imageSizeInBytes, which counts shared layers and multi-platform images again.'];
    if (ok.some((r) => !r.layersRead)) notes.push('--no-layers: figures from DescribeImages alone; platform manifests of multi-platform images count as untagged images, and nothing is known of shared layers (n/a).');
    parts.push(notes.map((n) => (o.style === 'markdown' ? `_${n}_` : n)).join('\n'));
  }
  for (const r of ok) {
    if (r.largest.length) parts.push(renderLargest(r, o));
    if (r.lifecycle) parts.push(renderLifecycle(r, o));
  }
  return parts.length ? `${parts.join('\n\n')}\n` : '';
}

function renderLargest(r: RepositoryAudit, o: AuditRenderOptions): string {
  const title = `Largest images in ${literal(r.repositoryName, o.style)} (${r.largest.length} of ${r.imageCount}):`;
  const table = renderTable(
    [{ header: 'DIGEST' }, { header: 'TAGS', maxWidth: 40 }, { header: 'SIZE', align: 'right' }, { header: 'PUSHED' }, { header: 'LAST PULL' }],
    r.largest.map((i) => [
      literal(i.digest.slice(0, 19), o.style),
      i.tags.length ? i.tags.map((t) => literal(t, o.style)).join(', ') : '(untagged)',
      formatBytes(i.size, o.units),
      literal(day(i.pushedAt), o.style),
      literal(day(i.lastPulledAt), o.style),
    ]),
    o.style,
  ).trimEnd();
  return `${o.style === 'markdown' ? `**${title}**` : title}\n${table}`;
}

function renderLifecycle(r: RepositoryAudit, o: AuditRenderOptions): string {
  const s = r.lifecycle;
  if (!s) return '';
  const name = literal(r.repositoryName, o.style);
  if (s.expiresCount === 0) return `Lifecycle policy for ${name}: no untagged images to expire today; the policy below keeps it that way.\n${fence(s.policy, o)}`;
  const frees = s.freesBytes === null ? 'frees an unknown amount (--no-layers)' : `frees ${formatBytes(s.freesBytes, o.units)}`;
  const head = `Lifecycle policy for ${name}: expires ${s.expiresCount} untagged image${s.expiresCount === 1 ? '' : 's'} and ${frees}:`;
  return `${head}\n${fence(s.policy, o)}\nApply with: ${o.style === 'markdown' ? markdownCode(applyCommand(r)) : terminalSafe(applyCommand(r))}`;
}

/**
 * The command that applies the policy, for pasting into a shell: every value in it came from
 * the API (or a flag), so each is quoted for the shell, whatever it holds. (The audit also
 * refuses repository names outside ECR's grammar before it gets here.)
 */
export function applyCommand(r: Pick<RepositoryAudit, 'repositoryName' | 'registryId' | 'region'>): string {
  const registry = r.registryId ? ` --registry-id ${shellQuote(r.registryId)}` : '';
  return `aws ecr put-lifecycle-policy --repository-name ${shellQuote(r.repositoryName)}${registry} --region ${shellQuote(r.region)} --lifecycle-policy-text file://policy.json`;
}

function fence(policy: unknown, o: AuditRenderOptions): string {
  const json = JSON.stringify(policy, null, 2);
  return o.style === 'markdown' ? `\`\`\`json\n${json}\n\`\`\`` : json;
}

/** CSV (src/render/csv.ts: RFC 4180, CRLF, formula guard): one row per repository, exact bytes, empty cells for unknown figures. */
export function renderAuditCsv(result: AuditResult): string {
  const header = ['registryId', 'repositoryName', 'region', 'imageCount', 'taggedCount', 'untaggedCount', 'totalSize', 'uniqueSize', 'reclaimableUntaggedSize', 'staleCount', 'reclaimableStaleSize', 'monthlyCost', 'error'];
  const rows = result.repositories.map((r) =>
    isAuditError(r)
      ? [r.registryId, r.repositoryName, r.region, '', '', '', '', '', '', '', '', '', `${r.error.code}: ${r.error.message}`]
      : [r.registryId, r.repositoryName, r.region, r.imageCount, r.taggedCount, r.untaggedCount, r.totalSize, r.uniqueSize, r.reclaimableUntaggedSize, r.staleCount, r.reclaimableStaleSize, r.monthlyCost, ''],
  );
  return renderCsv(header, rows);
}
