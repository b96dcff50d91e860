import React, { useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, PanelProps } from '@grafana/data';
import { Combobox, useStyles2, useTheme2 } from '@grafana/ui';

import { formatCount, formatPercent, formatScore, metricName } from '../../shared/format';
import { noticesOf } from '../../shared/frames';
import { headerCaptionStyle, panelMessageStyle, tooltipBoxStyle, tooltipTitleStyle } from '../../shared/panelStyles';
import { SELECTORS } from '../../shared/selectors';
import {
  contributionScale,
  contributionShares,
  Distribution,
  DistributionBin,
  frameLabel,
  frameToDistribution,
  isDistributionFrame,
  maxFraction,
  niceMax,
  selectFrameIndex,
  tickDecimals,
} from './transform';
import { DEFAULT_DISTRIBUTION_OPTIONS, DistributionOptions } from './types';

type Props = PanelProps<DistributionOptions>;

const HEADER_HEIGHT = 50;
const NOTICE_HEIGHT = 18;

export function DistributionPanel(props: Props) {
  const { data, width, height, replaceVariables } = props;
  const options = { ...DEFAULT_DISTRIBUTION_OPTIONS, ...props.options };
  const styles = useStyles2(getStyles);
  const [picked, setPicked] = useState<number | null>(null);
  const frames = data.series;

  const choices = useMemo(
    () =>
      frames
        .map((f, i) => ({ f, i }))
        .filter(({ f }) => isDistributionFrame(f))
        .map(({ f, i }) => ({ value: i, label: frameLabel(f, i) })),
    [frames]
  );
  const wantedFeature = options.frameSelection === 'feature' ? replaceVariables(options.feature ?? '') : undefined;
  const defaultIndex = selectFrameIndex(frames, options.frameSelection, wantedFeature);
  const index = picked !== null && choices.some((c) => c.value === picked) ? picked : defaultIndex;

  if (frames.length === 0 || index < 0) {
    const notices = noticesOf(frames).map((n) => n.text);
    return (
      <Message width={width} height={height}>
        {notices.length ? notices.join(' ') : 'No data: the query returned no distribution for this time range.'}
      </Message>
    );
  }

  const result = frameToDistribution(frames[index]);
  if (result.status === 'wrong-shape') {
    return (
      <Message width={width} height={height} kind="warning">
        {result.message}
      </Message>
    );
  }

  const dist = result.distribution!;
  const selector =
    choices.length > 1 ? (
      <div className={styles.selector} data-testid={SELECTORS.distribution.frameSelect}>
        <Combobox<number>
          id="mm-distribution-frame"
          aria-label="Feature shown"
          width={26}
          options={choices}
          value={index}
          onChange={(o) => setPicked(o.value)}
        />
        <span className={styles.count}>
          {choices.findIndex((c) => c.value === index) + 1} of {choices.length}
        </span>
      </div>
    ) : null;

  return (
    <div className={styles.panel} style={{ width, height }} data-testid={SELECTORS.distribution.panel}>
      <Header dist={dist} decimals={options.decimals} selector={selector} />
      {result.status === 'empty' ? (
        <div className={styles.message} data-testid={SELECTORS.distribution.message}>
          {result.message}
        </div>
      ) : (
        <Chart
          dist={dist}
          width={width}
          height={Math.max(0, height - HEADER_HEIGHT)}
          showContribution={options.showContribution}
          showSpecialBins={options.showSpecialBins}
          decimals={options.decimals}
        />
      )}
    </div>
  );
}

function Message(props: { width: number; height: number; kind?: 'info' | 'warning'; children: React.ReactNode }) {
  const styles = useStyles2(getStyles);
  return (
    <div
      className={props.kind === 'warning' ? styles.wrongShape : styles.message}
      style={{ width: props.width, height: props.height }}
      data-testid={SELECTORS.distribution.message}
      role="status"
    >
      <div>{props.children}</div>
    </div>
  );
}

function stateColor(theme: GrafanaTheme2, state: Distribution['state']): string {
  return state === 'drift'
    ? theme.colors.error.text
    : state === 'ok'
      ? theme.colors.success.text
      : theme.colors.text.secondary;
}

function Header({ dist, decimals, selector }: { dist: Distribution; decimals: number; selector: React.ReactNode }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const colors = seriesColors(theme);
  const cmp =
    dist.state === 'unknown'
      ? '· threshold'
      : dist.direction === 'below'
        ? dist.state === 'drift'
          ? '<'
          : '≥'
        : dist.state === 'drift'
          ? '≥'
          : '<';
  const stateText = dist.state === 'drift' ? 'drift' : dist.state === 'ok' ? 'no drift' : 'no value';
  return (
    <div className={styles.header} data-testid={SELECTORS.distribution.header}>
      <div className={styles.headerLine}>
        <span className={styles.title} data-testid={SELECTORS.distribution.title} title={dist.title}>
          {dist.title}
        </span>
        <span
          className={styles.score}
          style={{ color: stateColor(theme, dist.state), borderColor: stateColor(theme, dist.state) }}
          data-testid={SELECTORS.distribution.score}
          data-state={dist.state}
          title={dist.metricChosenBy ? `metric chosen by ${dist.metricChosenBy}` : undefined}
        >
          {metricName(dist.metric)} {formatScore(dist.value, decimals)}
          {dist.threshold !== null && (
            <>
              {' '}
              {cmp} {formatScore(dist.threshold, decimals)}
            </>
          )}{' '}
          · {stateText}
        </span>
        {selector}
      </div>
      <div className={styles.headerLine}>
        <span className={styles.samples} data-testid={SELECTORS.distribution.samples}>
          reference n = {formatCount(dist.referenceRows)} · current n = {formatCount(dist.currentRows)}
          {dist.epsilon !== null && <> · ε = {formatScore(dist.epsilon, 6)}</>} · {dist.featureType}
        </span>
        <span className={styles.legend}>
          <span className={styles.swatch} style={{ background: colors.reference }} /> reference
          <span className={styles.swatch} style={{ background: colors.current }} /> current
        </span>
      </div>
    </div>
  );
}

function seriesColors(theme: GrafanaTheme2) {
  return {
    reference: theme.visualization.getColorByName('blue'),
    current: theme.visualization.getColorByName('orange'),
  };
}

interface ChartProps {
  dist: Distribution;
  width: number;
  height: number;
  showContribution: boolean;
  showSpecialBins: boolean;
  decimals: number;
}

interface Hover {
  bin: number;
  x: number;
  y: number;
}

function Chart({ dist, width, height, showContribution, showSpecialBins, decimals }: ChartProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const colors = seriesColors(theme);
  const containerRef = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<Hover | null>(null);

  const bins = showSpecialBins ? dist.bins : dist.bins.filter((b) => !b.special);
  const shares = contributionShares(bins);
  const hasContribution = showContribution && bins.some((b) => b.contribution !== null);
  const notices = dist.notices;
  const svgHeight = Math.max(0, height - (notices.length ? NOTICE_HEIGHT : 0));

  const left = 58;
  const right = 10;
  const top = 8;
  const plotW = Math.max(10, width - left - right);
  const slots = bins.length + (bins.some((b) => b.special) && bins.some((b) => !b.special) ? 0.5 : 0);
  const slotW = plotW / Math.max(1, slots);
  const maxLabel = Math.max(...bins.map((b) => b.label.length), 1);
  const rotate = maxLabel * 6.2 > slotW - 4;
  const labelH = rotate ? Math.min(70, 14 + Math.min(maxLabel, 14) * 4.6) : 18;
  const contribH = hasContribution ? Math.max(26, Math.round((svgHeight - top - labelH) * 0.2)) : 0;
  const gapH = hasContribution ? 14 : 0;
  const plotH = Math.max(10, svgHeight - top - labelH - contribH - gapH - 4);
  const yMax = niceMax(maxFraction(bins));
  const contribMax = contributionScale(bins, dist);
  const labelEvery = Math.max(1, Math.ceil(14 / Math.max(1, slotW)));

  const xOf = (i: number) => {
    let slot = i;
    const firstSpecial = bins.findIndex((b) => b.special);
    if (firstSpecial > 0 && i >= firstSpecial) {
      slot += 0.5;
    }
    return left + slot * slotW;
  };
  const yOf = (fraction: number) => top + plotH - (fraction / yMax) * plotH;
  const barW = Math.max(1, slotW * 0.36);
  const contribTop = top + plotH + gapH;
  const ticks = [0, yMax / 2, yMax];
  // text tokens, not the main/shade ones: they keep at least 3:1 against the panel in both themes (the browser
  // check measures it); the share of each bin is its height
  const contribColor = dist.state === 'drift' ? theme.colors.error.text : theme.colors.text.secondary;

  const onPoint = (bin: number, e: React.MouseEvent) => {
    const rect = containerRef.current?.getBoundingClientRect();
    setHover({ bin, x: e.clientX - (rect?.left ?? 0), y: e.clientY - (rect?.top ?? 0) });
  };

  return (
    <div ref={containerRef} className={styles.chart} style={{ width, height }}>
      <svg
        width={width}
        height={svgHeight}
        role="img"
        aria-label={`Reference vs current distribution of ${dist.title}`}
        data-testid={SELECTORS.distribution.chart}
      >
        {ticks.map((t) => (
          <g key={t}>
            <line x1={left} x2={left + plotW} y1={yOf(t)} y2={yOf(t)} stroke={theme.colors.border.weak} />
            <text
              data-testid={SELECTORS.distribution.yTick}
              x={left - 6}
              y={yOf(t)}
              dy="0.32em"
              textAnchor="end"
              fill={theme.colors.text.secondary}
              fontSize={theme.typography.bodySmall.fontSize}
            >
              {formatPercent(t, t === 0 ? 0 : tickDecimals(ticks))}
            </text>
          </g>
        ))}
        {bins.map((b, i) => {
          const x0 = xOf(i);
          const cx = x0 + slotW / 2;
          const active = hover?.bin === i;
          return (
            <g key={`${b.label}-${i}`}>
              {active && (
                <rect
                  x={x0}
                  y={top}
                  width={slotW}
                  height={contribTop + contribH - top}
                  fill={theme.colors.action.hover}
                />
              )}
              <rect
                x={cx - barW - 1}
                y={yOf(b.reference)}
                width={barW}
                height={Math.max(0, top + plotH - yOf(b.reference))}
                fill={colors.reference}
                opacity={b.special ? 0.75 : 1}
              />
              <rect
                x={cx + 1}
                y={yOf(b.current)}
                width={barW}
                height={Math.max(0, top + plotH - yOf(b.current))}
                fill={colors.current}
                opacity={b.special ? 0.75 : 1}
              />
              {hasContribution && b.contribution !== null && (
                <rect
                  data-testid={SELECTORS.distribution.contribution(i)}
                  x={x0 + slotW * 0.15}
                  y={contribTop + contribH - (Math.min(contribMax, Math.abs(b.contribution)) / contribMax) * contribH}
                  width={slotW * 0.7}
                  height={(Math.min(contribMax, Math.abs(b.contribution)) / contribMax) * contribH}
                  fill={contribColor}
                />
              )}
              {i % labelEvery === 0 && (
                <text
                  x={cx}
                  y={contribTop + contribH + 12}
                  textAnchor={rotate ? 'end' : 'middle'}
                  transform={rotate ? `rotate(-40 ${cx} ${contribTop + contribH + 12})` : undefined}
                  fill={b.special ? theme.colors.text.secondary : theme.colors.text.primary}
                  fontSize={theme.typography.bodySmall.fontSize}
                  fontStyle={b.special ? 'italic' : undefined}
                >
                  {truncate(b.label, rotate ? 14 : Math.max(3, Math.floor(slotW / 6.5)))}
                </text>
              )}
              <rect
                data-testid={SELECTORS.distribution.bin(i)}
                x={x0}
                y={top}
                width={slotW}
                height={contribTop + contribH - top}
                fill="transparent"
                tabIndex={0}
                role="button"
                aria-label={binSummary(b, dist, decimals)}
                className={styles.hit}
                onMouseEnter={(e) => onPoint(i, e)}
                onMouseMove={(e) => onPoint(i, e)}
                onMouseLeave={() => setHover(null)}
                onFocus={() => setHover({ bin: i, x: cx, y: top + plotH / 3 })}
                onBlur={() => setHover(null)}
              />
            </g>
          );
        })}
        <line x1={left} x2={left + plotW} y1={top + plotH} y2={top + plotH} stroke={theme.colors.border.medium} />
        {hasContribution && (
          <>
            <line
              x1={left}
              x2={left + plotW}
              y1={contribTop + contribH}
              y2={contribTop + contribH}
              stroke={theme.colors.border.weak}
            />
            {/* name and scale of the strip as two lines in its middle: nothing at its top edge, where the y axis
                ends with "0%" */}
            <text
              data-testid={SELECTORS.distribution.contributionScale}
              x={left - 6}
              y={contribTop + contribH / 2}
              textAnchor="end"
              fill={theme.colors.text.secondary}
              fontSize={theme.typography.bodySmall.fontSize}
            >
              <title>{`Per-bin contribution to ${metricName(dist.contributionOf)}, from 0 to ${formatScore(contribMax, 3)}`}</title>
              <tspan x={left - 6} dy="-0.2em">
                contrib.
              </tspan>
              <tspan x={left - 6} dy="1.1em">
                ≤ {formatScore(contribMax, 3)}
              </tspan>
            </text>
          </>
        )}
      </svg>
      {notices.length > 0 && (
        <div className={styles.notice} title={notices.join(' ')}>
          {notices.join(' ')}
        </div>
      )}
      {hover && bins[hover.bin] && (
        <BinTooltip
          bin={bins[hover.bin]}
          share={shares[hover.bin]}
          dist={dist}
          decimals={decimals}
          x={hover.x}
          y={hover.y}
          width={width}
        />
      )}
    </div>
  );
}

function BinTooltip(props: {
  bin: DistributionBin;
  share: number | null;
  dist: Distribution;
  decimals: number;
  x: number;
  y: number;
  width: number;
}) {
  const { bin, share, dist, decimals, x, y, width } = props;
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const colors = seriesColors(theme);
  const diff = bin.current - bin.reference;
  const tooltipW = 240;
  const leftPos = x + 16 + tooltipW > width ? Math.max(0, x - tooltipW - 12) : x + 16;
  return (
    <div
      className={styles.tooltip}
      style={{ left: leftPos, top: Math.max(0, y - 10), width: tooltipW }}
      data-testid={SELECTORS.distribution.tooltip}
      role="tooltip"
    >
      <div className={styles.tooltipTitle}>{bin.label}</div>
      <table className={styles.tooltipTable}>
        <tbody>
          <tr>
            <td>
              <span className={styles.swatch} style={{ background: colors.reference }} /> reference
            </td>
            <td>{formatPercent(bin.reference, 2)}</td>
            <td>n = {formatCount(bin.referenceCount)}</td>
          </tr>
          <tr>
            <td>
              <span className={styles.swatch} style={{ background: colors.current }} /> current
            </td>
            <td>{formatPercent(bin.current, 2)}</td>
            <td>n = {formatCount(bin.currentCount)}</td>
          </tr>
          <tr>
            <td>difference</td>
            <td colSpan={2}>
              {diff >= 0 ? '+' : '−'}
              {(Math.abs(diff) * 100).toFixed(2)} pp
            </td>
          </tr>
          {bin.contribution !== null && (
            <tr>
              <td>contribution</td>
              <td colSpan={2}>
                {formatScore(bin.contribution, decimals)}
                {share !== null && ` (${formatPercent(share, 1)} of ${metricName(dist.contributionOf)})`}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

function binSummary(b: DistributionBin, dist: Distribution, decimals: number): string {
  return (
    `${b.label}: reference ${formatPercent(b.reference)} (n = ${formatCount(b.referenceCount)}), ` +
    `current ${formatPercent(b.current)} (n = ${formatCount(b.currentCount)})` +
    (b.contribution !== null
      ? `, contribution to ${metricName(dist.contributionOf)} ${formatScore(b.contribution, decimals)}`
      : '')
  );
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(1, n - 1))}…`;
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    display: 'flex',
    flexDirection: 'column',
    overflow: 'hidden',
    position: 'relative',
  }),
  header: css({
    height: HEADER_HEIGHT,
    flex: '0 0 auto',
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'center',
    gap: 2,
    padding: theme.spacing(0, 1),
    overflow: 'hidden',
  }),
  headerLine: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    whiteSpace: 'nowrap',
    minWidth: 0,
  }),
  title: css({
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.primary,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  score: css({
    border: '1px solid',
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(0, 0.75),
    fontSize: theme.typography.bodySmall.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    flex: '0 0 auto',
  }),
  samples: css(headerCaptionStyle(theme)),
  legend: css({
    marginLeft: 'auto',
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  }),
  swatch: css({
    display: 'inline-block',
    width: 10,
    height: 10,
    borderRadius: 2,
    marginLeft: theme.spacing(0.5),
  }),
  selector: css({
    marginLeft: 'auto',
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  }),
  count: css({
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  chart: css({
    position: 'relative',
    flex: '1 1 auto',
    // an inline svg sits on the text baseline and the gap below it pushed the notice line out of the panel
    '& > svg': { display: 'block' },
  }),
  hit: css({
    cursor: 'default',
    outline: 'none',
    '&:focus-visible': {
      stroke: theme.colors.primary.border,
      strokeWidth: 2,
    },
  }),
  notice: css({
    height: NOTICE_HEIGHT,
    padding: theme.spacing(0, 1),
    color: theme.colors.warning.text,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  tooltip: css(tooltipBoxStyle(theme)),
  tooltipTitle: css(tooltipTitleStyle(theme)),
  tooltipTable: css({
    width: '100%',
    td: {
      padding: theme.spacing(0, 0.5, 0, 0),
      whiteSpace: 'nowrap',
    },
  }),
  message: css({
    ...panelMessageStyle(theme, theme.colors.text.secondary),
    flex: '1 1 auto',
  }),
  wrongShape: css(panelMessageStyle(theme, theme.colors.warning.text)),
});
