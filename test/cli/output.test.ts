/** renderOutput (src/cli/output.ts): the one place a --format picks what stdout gets. */
import assert from 'node:assert/strict';
import { renderOutput, tableStyle } from '../../src/cli/output.js';
import type { TableStyle } from '../../src/render/table.js';

describe('renderOutput (src/cli/output.ts)', () => {
  const styles: TableStyle[] = [];
  const table = (style: TableStyle) => {
    styles.push(style);
    return `${style} table\n\n\n`;
  };
  const csv = () => 'a,b\r\n1,2\r\n';
  beforeEach(() => styles.splice(0));

  it('table: the plain style, ending in exactly one newline', () => {
    assert.equal(renderOutput('table', { table, csv }), 'plain table\n');
    assert.deepEqual(styles, ['plain']);
  });
  it('markdown: the markdown style', () => {
    assert.equal(renderOutput('markdown', { table }), 'markdown table\n');
    assert.equal(tableStyle('markdown'), 'markdown');
  });
  it('csv: the CSV text exactly as written (its CRLF line ends kept), no table rendered', () => {
    assert.equal(renderOutput('csv', { table, csv }), 'a,b\r\n1,2\r\n');
    assert.deepEqual(styles, []);
  });
});
