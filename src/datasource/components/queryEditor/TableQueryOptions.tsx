import React from 'react';

import { EditorRowProps } from './editorProps';
import { ThresholdsRow } from './ThresholdsRow';

/**
 * distribution and driftHeatmap return tables: thresholds do not apply, so their row is hidden, unless a stored
 * query carries some: then it is shown (a warning says they are ignored) so that they can be cleared.
 */
export function TableQueryOptions(props: EditorRowProps) {
  return props.query.thresholds !== undefined ? <ThresholdsRow {...props} /> : null;
}
