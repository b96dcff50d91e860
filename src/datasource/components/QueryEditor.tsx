import React, { useId, useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, QueryEditorProps } from '@grafana/data';
import { Alert, InlineField, InlineFieldRow, RadioButtonGroup, useStyles2 } from '@grafana/ui';

import { DataSource } from '../datasource';
import { hasErrors, migrateQuery, QueryIssue, TABLE_QUERY_TYPES, validateQuery } from '../query';
import { FeatureInfo, MMDataSourceOptions, MMQuery, ModelInfo, QueryType } from '../types';
import { SELECTORS } from '../../shared/selectors';
import { ComparisonRow } from './queryEditor/ComparisonRow';
import { EditorRowProps, leadFieldProps } from './queryEditor/editorProps';
import { ModelRow } from './queryEditor/ModelRow';
import { QUERY_TYPE_EDITORS, QUERY_TYPE_OPTIONS } from './queryEditor/queryTypes';
import { ReferenceRow } from './queryEditor/ReferenceRow';
import { SegmentRow } from './queryEditor/SegmentRow';
import { templateVariableNames, useResource } from './useResources';

type Props = QueryEditorProps<DataSource, MMQuery, MMDataSourceOptions>;

/**
 * The query editor: the query type, the rows every type shares (model and features, comparison, reference,
 * segment), then the component of the query type (queryEditor/queryTypes.ts), the warnings and load errors.
 */
export function QueryEditor(props: Props) {
  const { datasource, onChange, onRunQuery } = props;
  const styles = useStyles2(getStyles);
  const query = useMemo(() => migrateQuery(props.query as MMQuery & Record<string, unknown>), [props.query]);
  const variables = useMemo(() => templateVariableNames(), []);
  // Every id is unique per editor: the queries of one panel (A, B, …) each render an editor, and a fixed id would
  // repeat in the page, point the labels of query B (htmlFor) at query A's fields, and make the radio groups (whose
  // id is also the name of their inputs) uncheck each other's options. Tests select by label, not by id.
  const instance = useId();

  const models = useResource<ModelInfo[]>(() => datasource.getModels(), 'models', []);
  const features = useResource<FeatureInfo[]>(
    () => datasource.getFeatures(query.model ?? ''),
    `features:${query.model ?? ''}`,
    []
  );
  const segmentColumns = useResource<string[]>(() => datasource.getSegmentColumns(), 'segments', []);
  const segmentColumn = query.segment?.column ?? '';
  const segmentValues = useResource<string[]>(
    () => datasource.getSegmentValues(segmentColumn),
    `segmentValues:${segmentColumn}`,
    []
  );

  const issues = validateQuery(query, { features: features.value });
  const rowProps: EditorRowProps = {
    query,
    issues,
    uid: (name) => `${name}-${instance}`,
    change: (patch, run = true) => {
      const next = { ...query, ...patch };
      onChange(next);
      if (run && !hasErrors(validateQuery(next, { features: features.value }))) {
        onRunQuery();
      }
    },
    runIfValid: () => !hasErrors(issues) && onRunQuery(),
  };
  const TypeOptions = QUERY_TYPE_EDITORS[query.queryType ?? 'drift'];
  const warnings = issues.filter((i) => i.severity === 'warning');
  const loadErrors = [models.error, features.error, segmentColumns.error].filter(Boolean) as string[];

  return (
    <div className={styles.editor} data-testid={SELECTORS.queryEditor.container}>
      <InlineFieldRow>
        <InlineField {...leadFieldProps(issues, 'Query type', 'queryType')}>
          <RadioButtonGroup<QueryType>
            id={rowProps.uid('mm-query-type')}
            options={QUERY_TYPE_OPTIONS}
            value={query.queryType}
            onChange={(v) =>
              // distribution and driftHeatmap return tables: thresholds do not apply (and their row is hidden)
              rowProps.change(
                TABLE_QUERY_TYPES.includes(v) ? { queryType: v, thresholds: undefined } : { queryType: v }
              )
            }
          />
        </InlineField>
      </InlineFieldRow>
      <ModelRow {...rowProps} models={models} features={features} variables={variables} />
      <ComparisonRow {...rowProps} />
      <ReferenceRow {...rowProps} />
      <SegmentRow {...rowProps} columns={segmentColumns} values={segmentValues} variables={variables} />
      <TypeOptions {...rowProps} />

      {warnings.length > 0 && (
        <Alert severity="warning" title="Check the query" data-testid={SELECTORS.queryEditor.warnings}>
          <ul className={styles.list}>
            {warnings.map((w: QueryIssue, i) => (
              <li key={i}>{w.message}</li>
            ))}
          </ul>
        </Alert>
      )}
      {loadErrors.length > 0 && (
        <Alert severity="error" title="Could not load the pick-lists from the data source">
          {loadErrors.join(' ')}
        </Alert>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  editor: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  }),
  list: css({
    margin: 0,
    paddingLeft: theme.spacing(2),
  }),
});
