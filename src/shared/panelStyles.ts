/**
 * Style objects both panels (distribution, drift heatmap) share, so their hover tooltips and their
 * "no data" / "wrong shape" messages look the same. Plain objects, not class names: each panel spreads
 * them into its own `css({...})` and adds what is particular to it.
 */
import { CSSObject } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';

/** The floating box of a hover tooltip, drawn like Grafana's own tooltips. */
export function tooltipBoxStyle(theme: GrafanaTheme2): CSSObject {
  return {
    position: 'absolute',
    pointerEvents: 'none',
    zIndex: theme.zIndex.tooltip,
    background: theme.components.tooltip.background,
    color: theme.components.tooltip.text,
    boxShadow: theme.shadows.z2,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
  };
}

/** The first line of a hover tooltip. */
export function tooltipTitleStyle(theme: GrafanaTheme2): CSSObject {
  return {
    fontWeight: theme.typography.fontWeightMedium,
    marginBottom: theme.spacing(0.5),
  };
}

/** A message centred in the panel in place of the chart, in the given text colour. */
export function panelMessageStyle(theme: GrafanaTheme2, color: string): CSSObject {
  return {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    textAlign: 'center',
    padding: theme.spacing(2),
    color,
  };
}

/** The secondary caption of a panel header (sample sizes, window summary): small, clipped with an ellipsis. */
export function headerCaptionStyle(theme: GrafanaTheme2): CSSObject {
  return {
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  };
}
