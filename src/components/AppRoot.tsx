import React from 'react';
import { css } from '@emotion/css';
import { AppRootProps, GrafanaTheme2 } from '@grafana/data';
import { Stack, Text, TextLink, useStyles2 } from '@grafana/ui';

/** The app's landing page: what the bundle contains and where to start. */
export function AppRoot(_: AppRootProps) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.page}>
      <Stack direction="column" gap={2}>
        <Text element="h1">Model Monitor</Text>
        <Text element="p">
          Drift, data-quality and model-performance series for ML models, computed on demand from the inference logs you
          already store. Nothing is precomputed: the data source pushes aggregation down into the store and does the
          statistics on the small aggregates that come back.
        </Text>
        <Text element="h2">What this app bundles</Text>
        <ul className={styles.list}>
          <li>
            <strong>Model Monitor data source</strong> — drift series (alertable), drift heatmaps and distributions.{' '}
            <TextLink href="/connections/datasources/new" inline>
              Add a Model Monitor data source
            </TextLink>
          </li>
          <li>
            <strong>Drift distribution panel</strong> — reference vs current per bin, with each bin’s contribution to
            the score.
          </li>
          <li>
            <strong>Drift heatmap panel</strong> — features × windows coloured by drift; click a cell to open that
            feature and window.
          </li>
        </ul>
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({
    padding: theme.spacing(3),
    maxWidth: 900,
  }),
  list: css({
    paddingLeft: theme.spacing(3),
    li: { marginBottom: theme.spacing(1) },
  }),
});
