import React, { useId, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, PanelProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { Combobox, InlineField, useStyles2, useTheme2 } from '@grafana/ui';

import { panelMessageStyle } from '../../shared/panelStyles';
import { isExternalUrl } from '../driftheatmap/drilldown';
import {
  describeSignal,
  drilldownUrl,
  filterTiles,
  FleetFilters,
  FleetTile,
  initialFilters,
  prepareFleetData,
  SEVERITIES,
  Severity,
  sparkline,
} from './prepare';
import { FLEET_SELECTORS as S } from './selectors';
import { FleetOptions } from './types';

/** Theme colour names per severity: red pages, orange tickets, blue reports, green ok. */
export const SEVERITY_COLOR: Record<Severity, string> = { page: 'red', ticket: 'orange', report: 'blue', ok: 'green' };

const SPARK_W = 80;
const SPARK_H = 20;

export function FleetPanel({ data, options, width, height, timeRange, replaceVariables }: PanelProps<FleetOptions>) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const fleet = useMemo(() => prepareFleetData(data.series), [data.series]);
  const [filters, setFilters] = useState<FleetFilters>(() => initialFilters(replaceVariables));
  const id = useId();
  const shown = useMemo(() => filterTiles(fleet.tiles, filters), [fleet.tiles, filters]);
  const color = (s: Severity) => theme.visualization.getColorByName(SEVERITY_COLOR[s]);

  if (data.errors?.length && fleet.tiles.length === 0) {
    return (
      <div className={styles.message} style={{ width, height, color: theme.colors.error.text }} data-testid={S.message}>
        {data.errors[0].message ?? 'The query failed.'}
      </div>
    );
  }
  if (fleet.warning) {
    return (
      <div className={styles.message} style={{ width, height }} data-testid={S.message}>
        {fleet.warning}
      </div>
    );
  }
  // partial: a failed query (e.g. the trend) beside tiles that did arrive is said, not hidden
  const notes = [...(data.errors ?? []).map((e) => `Query ${e.refId ?? ''} failed: ${e.message}`), ...fleet.notices];
  const open = (t: FleetTile) => {
    const url = replaceVariables(
      drilldownUrl(options.linkTemplate, t, timeRange.from.valueOf(), timeRange.to.valueOf())
    );
    if (isExternalUrl(url, window.location.origin)) {
      window.open(url, '_blank', 'noopener');
    } else {
      locationService.push(url);
    }
  };
  const picker = (name: 'owner' | 'tier' | 'verdict', values: string[]) => (
    <InlineField label={name[0].toUpperCase() + name.slice(1)} className={styles.filter}>
      <Combobox<string>
        id={`${id}-${name}`}
        data-testid={S.filter(name)}
        width={18}
        placeholder="all"
        isClearable
        options={values.map((v) => ({ value: v }))}
        value={filters[name] || null}
        onChange={(o) => setFilters({ ...filters, [name]: o?.value ?? '' })}
      />
    </InlineField>
  );
  return (
    <div className={styles.panel} style={{ width, height }} data-testid={S.panel}>
      <div className={styles.header}>
        <span data-testid={S.summary}>
          {[...SEVERITIES].reverse().map((s) => (
            <span key={s} className={styles.count} style={{ color: color(s) }}>
              {fleet.counts[s]} {s}
            </span>
          ))}
          {shown.length < fleet.tiles.length && <span className={styles.count}>· {shown.length} shown</span>}
        </span>
        {picker('owner', fleet.owners)}
        {picker('tier', fleet.tiers)}
        {picker('verdict', fleet.verdicts)}
      </div>
      {notes.length > 0 && (
        <div className={styles.notice} title={notes.join(' ')} data-testid={S.notice}>
          {notes.join(' ')}
        </div>
      )}
      <div
        className={styles.grid}
        style={{ gridTemplateColumns: `repeat(auto-fill, minmax(${options.tileWidth}px, 1fr))` }}
        data-testid={S.grid}
      >
        {shown.map((t) => {
          const values = t.trend.map((p) => p.estimated ?? p.realized);
          const line = options.showTrend ? sparkline(values, SPARK_W, SPARK_H) : '';
          const signal = describeSignal(t);
          return (
            <div
              key={t.model}
              role="link"
              tabIndex={0}
              className={styles.tile}
              style={{ borderLeftColor: color(t.severity) }}
              data-testid={S.tile(t.model)}
              aria-label={`${t.model}: ${t.severity}, ${signal}. Open model health.`}
              title={t.reason}
              onClick={() => open(t)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  open(t);
                }
              }}
            >
              <div className={styles.tileHead}>
                <span className={styles.model}>{t.model}</span>
                <span
                  className={styles.badge}
                  style={{ background: color(t.severity), color: theme.colors.getContrastText(color(t.severity)) }}
                >
                  {t.severity}
                </span>
              </div>
              <div className={styles.tileRow}>
                <span className={styles.line}>
                  {t.tier} · {t.owner}
                </span>
                {line && (
                  <svg width={SPARK_W} height={SPARK_H} aria-hidden="true">
                    <polyline points={line} fill="none" stroke={color(t.severity)} strokeWidth={1.5} />
                  </svg>
                )}
              </div>
              <div className={styles.signal}>{signal}</div>
              <div className={styles.line}>
                {t.primaryMetric} {t.estimated !== null ? `est ${t.estimated.toFixed(3)}` : ''}
                {t.realized !== null ? ` · real ${t.realized.toFixed(3)}` : ''}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), overflow: 'hidden' }),
  message: css(panelMessageStyle(theme, theme.colors.text.secondary)),
  header: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    alignItems: 'center',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  count: css({ marginRight: theme.spacing(1), fontWeight: theme.typography.fontWeightMedium }),
  // the query's notices and partial failures: one line, the whole text on hover
  notice: css({
    color: theme.colors.warning.text,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  filter: css({ margin: 0 }),
  grid: css({ display: 'grid', gap: theme.spacing(1), overflowY: 'auto', alignContent: 'start', flex: 1 }),
  tile: css({
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderLeftWidth: 4,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0.75, 1),
    cursor: 'pointer',
    minWidth: 0,
    '&:hover': { background: theme.colors.action.hover },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}`, outlineOffset: 1 },
  }),
  tileHead: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: theme.spacing(1) }),
  model: css({
    fontWeight: theme.typography.fontWeightMedium,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  badge: css({
    borderRadius: theme.shape.radius.pill,
    padding: theme.spacing(0, 0.75),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  signal: css({
    fontSize: theme.typography.bodySmall.fontSize,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  // a line of secondary text in the tile (tier and owner; the primary metric): one line, ellipsised
  line: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  // the tier and owner beside the trend, which keeps its size
  tileRow: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    gap: theme.spacing(1),
    '& svg': { flexShrink: 0 },
  }),
});
