/** The one CSV writer: RFC 4180 with CRLF, and the OWASP formula guard on every text cell. */
import assert from 'node:assert/strict';
import { csvField, renderCsv } from '../../src/render/csv.js';

describe('CSV writer', () => {
  it('quotes fields holding quotes, commas, CR or LF, doubles quotes, ends records with CRLF', () => {
    assert.equal(renderCsv(['a', 'b'], [['x,y', 'say "hi"'], ['plain', 2]]), 'a,b\r\n"x,y","say ""hi"""\r\nplain,2\r\n');
  });

  it('pads short records to the header (RFC 4180 2.4) and writes null and undefined as empty', () => {
    assert.equal(renderCsv(['a', 'b', 'c'], [[null, undefined]]), 'a,b,c\r\n,,\r\n');
  });

  it('prefixes text a spreadsheet would run as a formula with a quote', () => {
    for (const start of ['=', '+', '-', '@']) assert.equal(csvField(`${start}HYPERLINK("http://evil","x")`), `"'${start}HYPERLINK(""http://evil"",""x"")"`);
    assert.equal(csvField('\tcmd'), "'\\x09cmd");
    assert.equal(csvField('\rcmd'), "'\\x0dcmd");
  });

  it('writes numbers and booleans as they are: a negative delta is a number, not a formula', () => {
    assert.equal(renderCsv(['n', 'b'], [[-1234, true]]), 'n,b\r\n-1234,true\r\n');
  });

  it('shows control characters in text visibly', () => {
    assert.equal(csvField('a\x1b]0;x\x07'), 'a\\x1b]0;x\\x07');
  });
});
