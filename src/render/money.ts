/**
 * Dollar amounts, one rule for every output (ecr audit tables, the report's markdown and HTML):
 * to the cent, with thousands separators, as an AWS bill shows them ("$0.02", "$1,234.50").
 * An amount that would round to $0.00 but is not zero reads "<$0.01", so a repository that
 * costs something never looks free. Amounts that are not known are the caller's to show
 * ("n/a" in a table, an empty cell in a report).
 */
const CENTS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatDollars(dollars: number): string {
  if (dollars > 0 && dollars < 0.005) return '<$0.01';
  return `$${CENTS.format(dollars)}`;
}
