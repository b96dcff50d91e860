/**
 * What the query editor hands to each of its rows and to the component of each query type: the query (migrated),
 * its validation issues, a change function, per-editor ids, and the props of an InlineField with its errors.
 */
import { QueryField, QueryIssue, issuesFor } from '../../query';
import { MMQuery } from '../../types';

/** Label width of the first field of every row, so the rows line up. */
export const LABEL_WIDTH = 16;

export interface EditorRowProps {
  query: MMQuery;
  issues: QueryIssue[];
  /** A unique id per editor for a field name (the queries A, B, … of one panel each render an editor). */
  uid: (name: string) => string;
  /** Applies a patch; runs the query unless `run` is false or the patched query has errors. */
  change: (patch: Partial<MMQuery>, run?: boolean) => void;
  /** Runs the query when the user leaves a text field, unless the query has errors. */
  runIfValid: () => void;
}

/** Props of an InlineField: its label, label width, and the errors of the query fields it edits. */
export function fieldProps(issues: QueryIssue[], label: string, labelWidth: number, ...fields: QueryField[]) {
  const errs = issuesFor(issues, ...fields).filter((i) => i.severity === 'error');
  return { label, labelWidth, invalid: errs.length > 0, error: errs.map((i) => i.message).join(' ') };
}

/**
 * Props of the first field of a row: the common label width, and its message may run under the fields beside it
 * instead of pushing them away.
 */
export function leadFieldProps(issues: QueryIssue[], label: string, ...fields: QueryField[]) {
  return { ...fieldProps(issues, label, LABEL_WIDTH, ...fields), validationMessageHorizontalOverflow: true };
}
