import React, { KeyboardEvent, useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { css, cx } from '@emotion/css';
import { dateTimeFormat, GrafanaTheme2, locationUtil, PanelProps } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { useStyles2, useTheme2 } from '@grafana/ui';

import { formatCount, formatScore, metricName } from '../../shared/format';
import { driftState } from '../../shared/frames';
import { headerCaptionStyle, panelMessageStyle, tooltipBoxStyle, tooltipTitleStyle } from '../../shared/panelStyles';
import { SELECTORS } from '../../shared/selectors';
import { colorForSeverity, legendGradient, paletteFromTheme, scoreAtSeverity, severity } from './colors';
import { drilldownTarget, DrilldownTarget, isExternalUrl } from './drilldown';
import { HeatmapModel, prepareHeatmapData, rowLabel } from './pivot';
import { DEFAULT_HEATMAP_OPTIONS, HeatmapOptions } from './types';

type Props = PanelProps<HeatmapOptions>;

const HEADER_HEIGHT = 40;
const GAP = 1;
const MIN_CELL_WIDTH = 12;
const MAX_ROW_HEIGHT = 32;

export function DriftHeatmapPanel(props: Props) {
  const { data, width, height } = props;
  const styles = useStyles2(getStyles);
  const prepared = useMemo(() => prepareHeatmapData(data.series), [data.series]);

  if (!prepared.model) {
    return (
      <div
        className={prepared.warning ? styles.wrongShape : styles.message}
        style={{ width, height }}
        data-testid={SELECTORS.heatmap.message}
        role="status"
      >
        <div>{prepared.warning ?? prepared.noData}</div>
      </div>
    );
  }
  return <Heatmap {...props} model={prepared.model} />;
}

/** Navigates to a drill-down target (partial location update, internal path or external URL). */
export function followDrilldown(target: DrilldownTarget) {
  if (target.kind === 'partial') {
    locationService.partial(target.query, false);
  } else if (target.kind === 'url') {
    if (isExternalUrl(target.url, window.location.origin)) {
      window.location.assign(target.url);
    } else {
      locationService.push(locationUtil.stripBaseFromUrl(target.url));
    }
  }
}

interface Focus {
  row: number;
  col: number;
}

function Heatmap(props: Props & { model: HeatmapModel }) {
  const { model, width, height, replaceVariables, timeZone } = props;
  const options = { ...DEFAULT_HEATMAP_OPTIONS, ...props.options };
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const palette = useMemo(() => paletteFromTheme(theme), [theme]);
  const panelRef = useRef<HTMLDivElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const scrollerRef = useRef<HTMLDivElement>(null);
  const [rowsBelow, setRowsBelow] = useState(0);
  const [focus, setFocus] = useState<Focus>({ row: 0, col: 0 });
  const [tip, setTip] = useState<{ row: number; col: number; x: number; y: number } | null>(null);

  const { rows, windows, cells } = model;
  const nRows = rows.length;
  const nCols = windows.length;
  const withTime = model.windowMs < 86_400_000 || windows.some((w) => w.start % 86_400_000 !== 0);
  const fmt = (ms: number, long = false) =>
    dateTimeFormat(ms, {
      timeZone,
      format: withTime ? (long ? 'YYYY-MM-DD HH:mm' : 'MM-DD HH:mm') : long ? 'YYYY-MM-DD' : 'MM-DD',
    });

  // geometry
  const labels = rows.map((r) => rowLabel(r, model.multiModel));
  const longest = Math.max(...labels.map((l) => l.length), 4);
  const labelW = Math.round(Math.min(Math.max(70, longest * 7 + 16), Math.max(90, width * 0.4), 280));
  const scrollbar = 12;
  const availW = Math.max(0, width - labelW - scrollbar);
  const cellW = Math.max(MIN_CELL_WIDTH, Math.floor(availW / Math.max(1, nCols)) - GAP);
  const horizontalLabels = cellW >= (withTime ? 78 : 44);
  const colHeaderH = horizontalLabels ? 22 : withTime ? 78 : 46;
  const availH = Math.max(0, height - HEADER_HEIGHT - colHeaderH - 4);
  const rowH = Math.min(MAX_ROW_HEIGHT, Math.max(options.minRowHeight, Math.floor(availH / Math.max(1, nRows)) - GAP));
  const colLabelEvery = Math.max(1, Math.ceil(16 / (cellW + GAP)));
  const fontSize = rowH < 18 ? 11 : 12;

  // How many rows lie (partly) below the visible part of the grid: the row bottoms are contentHeight − k·(rowH+GAP),
  // so k < hidden / (rowH+GAP) of them are below. Shown as a cue: scrollbars may be hidden (overlay scrollbars).
  const measureRowsBelow = useCallback(() => {
    const s = scrollerRef.current;
    const hidden = s ? s.scrollHeight - s.scrollTop - s.clientHeight : 0;
    setRowsBelow(hidden > 0.5 ? Math.ceil(hidden / (rowH + GAP)) : 0);
  }, [rowH]);
  useLayoutEffect(measureRowsBelow, [measureRowsBelow, nRows, width, height]);

  const activate = useCallback(
    (row: number, col: number) => {
      const target = drilldownTarget(rows[row], windows[col], cells[row][col], options, replaceVariables);
      followDrilldown(target);
    },
    // options is rebuilt per render; its fields are what matter
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [
      rows,
      windows,
      cells,
      options.drilldownMode,
      options.featureVariable,
      options.modelVariable,
      options.linkTemplate,
      replaceVariables,
    ]
  );

  const showTipAtCell = (row: number, col: number) => {
    const el = gridRef.current?.querySelector<HTMLElement>(`[data-row="${row}"][data-col="${col}"]`);
    const panel = panelRef.current?.getBoundingClientRect();
    const rect = el?.getBoundingClientRect();
    setTip({
      row,
      col,
      x: rect && panel ? rect.right - panel.left : 0,
      y: rect && panel ? rect.bottom - panel.top : 0,
    });
  };

  const moveFocus = (row: number, col: number) => {
    const r = Math.min(nRows - 1, Math.max(0, row));
    const c = Math.min(nCols - 1, Math.max(0, col));
    setFocus({ row: r, col: c });
    const el = gridRef.current?.querySelector<HTMLElement>(`[data-row="${r}"][data-col="${c}"]`);
    el?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const { row, col } = focus;
    const page = Math.max(1, Math.floor(availH / (rowH + GAP)));
    const moves: Record<string, () => void> = {
      ArrowRight: () => moveFocus(row, col + 1),
      ArrowLeft: () => moveFocus(row, col - 1),
      ArrowDown: () => moveFocus(row + 1, col),
      ArrowUp: () => moveFocus(row - 1, col),
      Home: () => moveFocus(row, 0),
      End: () => moveFocus(row, nCols - 1),
      PageDown: () => moveFocus(row + page, col),
      PageUp: () => moveFocus(row - page, col),
      Enter: () => activate(row, col),
      ' ': () => activate(row, col),
      Escape: () => setTip(null),
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      move();
    }
  };

  const cellStyle = (row: number, col: number): React.CSSProperties => {
    const cell = cells[row][col];
    const r = cell ? severity(cell.value, cell.threshold ?? model.threshold, model.direction) : null;
    if (!cell || (cell.value === null && cell.drift !== true)) {
      return { background: palette.empty, backgroundImage: hatch(theme) };
    }
    return { background: colorForSeverity(r, palette, cell.drift, options.colorMode) };
  };

  const gridTemplate = `${labelW}px repeat(${nCols}, ${cellW}px)`;
  const thr = model.threshold;

  return (
    <div ref={panelRef} className={styles.panel} style={{ width, height }} data-testid={SELECTORS.heatmap.panel}>
      <div className={styles.header}>
        <span
          className={styles.summary}
          title={model.metricChosenBy ? `metric chosen by ${model.metricChosenBy}` : undefined}
        >
          {metricName(model.metric)}
          {thr !== null && <> · threshold {formatScore(thr)}</>} · {nRows} feature{nRows === 1 ? '' : 's'} × {nCols}{' '}
          window
          {nCols === 1 ? '' : 's'}
        </span>
        {thr !== null && (
          <div className={styles.legend} data-testid={SELECTORS.heatmap.legend} aria-label="Colour legend">
            <span>{formatScore(scoreAtSeverity(0, thr, model.direction), 3)}</span>
            <span className={styles.gradient} style={{ backgroundImage: legendGradient(palette, options.colorMode) }}>
              <span className={styles.thresholdMark} />
            </span>
            <span>
              {model.direction === 'below' ? '≤ ' : '≥ '}
              {formatScore(scoreAtSeverity(2, thr, model.direction), 3)}
            </span>
            <span className={styles.noData} style={{ backgroundImage: hatch(theme) }} /> no value
          </div>
        )}
      </div>
      {model.notices.length > 0 && (
        <div className={styles.notice} title={model.notices.join(' ')}>
          {model.notices.join(' ')}
        </div>
      )}
      <div ref={scrollerRef} className={styles.scroller} onMouseLeave={() => setTip(null)} onScroll={measureRowsBelow}>
        <div
          ref={gridRef}
          role="grid"
          aria-label={`Drift of ${nRows} features over ${nCols} windows`}
          aria-rowcount={nRows + 1}
          aria-colcount={nCols + 1}
          className={styles.grid}
          style={{
            gridTemplateColumns: gridTemplate,
            gridTemplateRows: `${colHeaderH}px`,
            gridAutoRows: `${rowH}px`,
            fontSize,
          }}
          data-testid={SELECTORS.heatmap.grid}
          onKeyDown={onKeyDown}
        >
          <div role="row" className={styles.rowContents}>
            <div role="columnheader" className={cx(styles.corner)} style={{ height: colHeaderH }}>
              feature
            </div>
            {windows.map((w, c) => (
              <div
                key={w.start}
                role="columnheader"
                className={cx(styles.colHeader, !horizontalLabels && styles.colHeaderVertical)}
                style={{ height: colHeaderH }}
                title={`${fmt(w.start, true)} → ${fmt(w.end, true)}`}
              >
                {c % colLabelEvery === 0 ? fmt(w.start) : ''}
              </div>
            ))}
          </div>
          {rows.map((row, r) => (
            <div role="row" key={row.key} className={styles.rowContents}>
              <div
                role="rowheader"
                className={styles.rowLabel}
                title={`${labels[r]}${row.importance !== null ? ` (importance ${formatScore(row.importance, 3)})` : ''}`}
                data-testid={SELECTORS.heatmap.rowLabel(r)}
              >
                {labels[r]}
              </div>
              {windows.map((w, c) => {
                const cell = cells[r][c];
                const state = cell
                  ? driftState(cell.value, cell.threshold ?? thr, model.direction, cell.drift)
                  : 'unknown';
                return (
                  <div
                    key={w.start}
                    role="gridcell"
                    tabIndex={focus.row === r && focus.col === c ? 0 : -1}
                    data-row={r}
                    data-col={c}
                    data-state={state}
                    data-testid={SELECTORS.heatmap.cell(r, c)}
                    aria-label={cellSummary(labels[r], fmt(w.start, true), cell, model)}
                    className={styles.cell}
                    style={cellStyle(r, c)}
                    onMouseEnter={(e) => {
                      const panel = panelRef.current?.getBoundingClientRect();
                      setTip({ row: r, col: c, x: e.clientX - (panel?.left ?? 0), y: e.clientY - (panel?.top ?? 0) });
                    }}
                    onFocus={() => {
                      setFocus({ row: r, col: c });
                      showTipAtCell(r, c);
                    }}
                    onBlur={() => setTip(null)}
                    onClick={() => {
                      setFocus({ row: r, col: c });
                      activate(r, c);
                    }}
                  >
                    {options.showValues && cellW >= 40 && cell?.value !== null && cell?.value !== undefined
                      ? formatScore(cell.value, 2)
                      : null}
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      </div>
      {rowsBelow > 0 && (
        <div className={styles.moreRows} data-testid={SELECTORS.heatmap.moreRows} aria-hidden>
          ▾ {rowsBelow} more {rowsBelow === 1 ? 'feature' : 'features'} below: scroll, or PageDown in the grid
        </div>
      )}
      {tip && (
        <CellTooltip
          model={model}
          label={labels[tip.row]}
          row={tip.row}
          col={tip.col}
          x={tip.x}
          y={tip.y}
          width={width}
          height={height}
          fmt={fmt}
          drilldown={options.drilldownMode !== 'none'}
        />
      )}
    </div>
  );
}

/** Stripes of the "no value" cells: a text token, visible on the panel background of both themes at any cell size. */
function hatch(theme: GrafanaTheme2): string {
  const line = theme.colors.text.disabled;
  return `repeating-linear-gradient(135deg, transparent 0 3px, ${line} 3px 4px)`;
}

function cellSummary(label: string, when: string, cell: HeatmapModel['cells'][number][number], model: HeatmapModel) {
  if (!cell) {
    return `${label}, ${when}: no result`;
  }
  return `${label}, ${when}: ${metricName(cell.metric || model.metric)} ${formatScore(cell.value)}, current n = ${formatCount(
    cell.currentCount
  )}`;
}

function CellTooltip(props: {
  model: HeatmapModel;
  label: string;
  row: number;
  col: number;
  x: number;
  y: number;
  width: number;
  height: number;
  fmt: (ms: number, long?: boolean) => string;
  drilldown: boolean;
}) {
  const { model, label, row, col, x, y, width, height, fmt, drilldown } = props;
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const cell = model.cells[row][col];
  const w = model.windows[col];
  const rowInfo = model.rows[row];
  const threshold = cell?.threshold ?? model.threshold;
  const state = cell ? driftState(cell.value, threshold, model.direction, cell.drift) : 'unknown';
  // the box grows to its widest line (a window with times is ~35 characters): tipW is the width to flip on
  const tipW = 320;
  const tipH = 190;
  const left = x + 14 + tipW > width ? Math.max(0, x - tipW - 8) : x + 14;
  const top = y + 14 + tipH > height ? Math.max(0, y - tipH - 8) : y + 14;
  const stateColor =
    state === 'drift'
      ? theme.colors.error.text
      : state === 'ok'
        ? theme.colors.success.text
        : theme.colors.text.secondary;
  return (
    <div
      className={styles.tooltip}
      style={{ left, top, minWidth: 250, maxWidth: tipW }}
      role="tooltip"
      data-testid={SELECTORS.heatmap.tooltip}
    >
      <div className={styles.tooltipTitle}>{label}</div>
      <table className={styles.tooltipTable}>
        <tbody>
          <tr>
            <td>window</td>
            <td>
              {fmt(w.start, true)} → {fmt(w.end, true)}
            </td>
          </tr>
          <tr>
            <td>{metricName(cell?.metric || model.metric)}</td>
            <td>
              <strong style={{ color: stateColor }}>{formatScore(cell?.value)}</strong>
              {threshold !== null && ` (threshold ${formatScore(threshold)})`}
            </td>
          </tr>
          <tr>
            <td>state</td>
            <td style={{ color: stateColor }}>
              {state === 'drift' ? 'drift' : state === 'ok' ? 'no drift' : 'no value'}
            </td>
          </tr>
          <tr>
            <td>current</td>
            <td>n = {formatCount(cell?.currentCount)}</td>
          </tr>
          <tr>
            <td>reference</td>
            <td>n = {formatCount(cell?.referenceCount)}</td>
          </tr>
          {rowInfo.importance !== null && (
            <tr>
              <td>importance</td>
              <td>{formatScore(rowInfo.importance, 3)}</td>
            </tr>
          )}
        </tbody>
      </table>
      {drilldown && <div className={styles.tooltipHint}>Click or Enter: open this feature and window</div>}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    position: 'relative',
    display: 'flex',
    flexDirection: 'column',
    overflow: 'hidden',
  }),
  header: css({
    height: HEADER_HEIGHT,
    flex: '0 0 auto',
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(2),
    padding: theme.spacing(0, 1),
    whiteSpace: 'nowrap',
    overflow: 'hidden',
  }),
  summary: css(headerCaptionStyle(theme)),
  legend: css({
    marginLeft: 'auto',
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.75),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  gradient: css({
    position: 'relative',
    display: 'inline-block',
    width: 140,
    height: 10,
    borderRadius: 2,
    outline: `1px solid ${theme.colors.border.weak}`,
    backgroundRepeat: 'no-repeat',
  }),
  thresholdMark: css({
    position: 'absolute',
    left: '50%',
    top: -3,
    bottom: -3,
    width: 2,
    background: theme.colors.text.primary,
  }),
  noData: css({
    display: 'inline-block',
    width: 12,
    height: 10,
    border: `1px solid ${theme.colors.border.weak}`,
    background: theme.colors.background.primary,
    marginLeft: theme.spacing(1),
  }),
  notice: css({
    flex: '0 0 auto',
    padding: theme.spacing(0, 1, 0.5, 1),
    color: theme.colors.warning.text,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  scroller: css({
    flex: '1 1 0',
    minHeight: 0,
    overflow: 'auto',
    position: 'relative',
    scrollbarColor: `${theme.colors.text.disabled} transparent`,
  }),
  moreRows: css({
    position: 'absolute',
    bottom: 0,
    left: 0,
    right: 0,
    pointerEvents: 'none',
    zIndex: 4,
    textAlign: 'center',
    padding: theme.spacing(0.25, 1),
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.primary,
    background: theme.colors.background.secondary,
    borderTop: `1px solid ${theme.colors.border.medium}`,
  }),
  grid: css({
    display: 'grid',
    gap: GAP,
    width: 'max-content',
    outline: 'none',
  }),
  rowContents: css({
    display: 'contents',
  }),
  corner: css({
    position: 'sticky',
    top: 0,
    left: 0,
    zIndex: 3,
    background: theme.colors.background.primary,
    color: theme.colors.text.secondary,
    display: 'flex',
    alignItems: 'flex-end',
    padding: theme.spacing(0, 1, 0.5, 1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  colHeader: css({
    position: 'sticky',
    top: 0,
    zIndex: 2,
    background: theme.colors.background.primary,
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    display: 'flex',
    alignItems: 'flex-end',
    justifyContent: 'center',
    overflow: 'visible',
    whiteSpace: 'nowrap',
    paddingBottom: 2,
  }),
  colHeaderVertical: css({
    writingMode: 'vertical-rl',
    transform: 'rotate(180deg)',
    justifyContent: 'flex-end',
    alignItems: 'center',
    paddingBottom: 0,
    paddingTop: 2,
  }),
  rowLabel: css({
    position: 'sticky',
    left: 0,
    zIndex: 1,
    background: theme.colors.background.primary,
    color: theme.colors.text.primary,
    padding: theme.spacing(0, 1),
    display: 'flex',
    alignItems: 'center',
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    textOverflow: 'ellipsis',
    minWidth: 0,
  }),
  cell: css({
    borderRadius: 2,
    cursor: 'pointer',
    outline: 'none',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    color: theme.colors.text.primary,
    fontSize: 10,
    '&:hover': {
      boxShadow: `inset 0 0 0 2px ${theme.colors.text.primary}`,
    },
    '&:focus-visible': {
      boxShadow: `inset 0 0 0 2px ${theme.colors.primary.border}`,
    },
  }),
  tooltip: css(tooltipBoxStyle(theme)),
  tooltipTitle: css({
    ...tooltipTitleStyle(theme),
    wordBreak: 'break-all',
  }),
  tooltipTable: css({
    td: {
      padding: theme.spacing(0, 1, 0, 0),
      verticalAlign: 'top',
      // a window "2026-10-01 14:00 → 2026-10-01 15:00" stays on one line
      whiteSpace: 'nowrap',
    },
  }),
  tooltipHint: css({
    marginTop: theme.spacing(0.5),
    opacity: 0.75,
  }),
  message: css(panelMessageStyle(theme, theme.colors.text.secondary)),
  wrongShape: css(panelMessageStyle(theme, theme.colors.warning.text)),
});
