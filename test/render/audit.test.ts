/** The ecr audit output (src/render/audit.ts): the table and the CSV, figures as the audit gave them. */
import assert from 'node:assert/strict';
import type { AuditResult, RepositoryAudit } from '../../src/ecr/audit.js';
import { renderAudit, renderAuditCsv } from '../../src/render/audit.js';
import { formatDollars } from '../../src/render/money.js';
import { formatBytes } from '../../src/units.js';

const UNIQUE = 251_000_000;
const COST = (UNIQUE / 2 ** 30) * 0.1;

function result(): AuditResult {
  const repo = {
    registryId: '123456789012',
    repositoryName: 'team/app',
    region: 'eu-west-1',
    imageCount: 5,
    taggedCount: 3,
    untaggedCount: 2,
    totalSize: 755_000_000,
    uniqueSize: UNIQUE,
    reclaimableUntaggedSize: 13_000_000,
    staleCount: 2,
    reclaimableStaleSize: 28_000_000,
    monthlyCost: COST,
    layersRead: true,
    staleDays: 90,
    largest: [],
  } as unknown as RepositoryAudit;
  return { repositories: [repo, { registryId: null, repositoryName: 'team/gone', region: 'eu-west-1', error: { code: 'NAME_UNKNOWN', message: 'repository team/gone not found' } }] };
}

describe('ecr audit output', function () {
  it('table: the figures of each repository, its cost to the cent', function () {
    const out = renderAudit(result(), { units: 'si', style: 'plain' });
    const row = out.split('\n').find((l) => l.startsWith('team/app ')) ?? '';
    for (const cell of [formatBytes(755_000_000, 'si'), formatBytes(UNIQUE, 'si'), formatBytes(13_000_000, 'si'), formatDollars(COST)]) assert.ok(row.includes(cell), `${cell} in ${row}`);
    assert.ok(row.endsWith(formatDollars(COST)));
  });

  it('CSV: exact bytes, and the failed repository in its own row', function () {
    const csv = renderAuditCsv(result());
    const rows = csv.trimEnd().split('\r\n');
    assert.ok(rows.some((r) => r.includes(String(UNIQUE)) && r.includes('team/app')), csv);
    assert.ok(rows.some((r) => r.includes('team/gone') && r.includes('NAME_UNKNOWN')), csv);
  });
});
