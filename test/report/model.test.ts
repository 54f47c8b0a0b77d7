/** The report's result model (src/report/model.ts): telling failed entries from sized ones. */
import assert from 'node:assert/strict';
import { isReportError, isRepositoryError, type ReportRepositoryEntry } from '../../src/report/model.js';
import { reportResult } from '../render/report-fixture.js';

describe('report model', function () {
  it('tells a failed image and a failed repository from the others by their error', function () {
    assert.deepEqual(reportResult().images.map(isReportError), [false, false, true]);
    const failed: ReportRepositoryEntry = { registryId: null, repositoryName: 'team/app', region: 'eu-west-1', error: { code: 'AWS', message: 'x' } };
    assert.equal(isRepositoryError(failed), true);
  });
});
