import { FrameSelection } from './transform';

export interface DistributionOptions {
  /** Which frame to show when the query returns several (several features, models or windows). */
  frameSelection: FrameSelection;
  /** Feature to show when frameSelection = "feature"; may be a variable such as $feature. */
  feature: string;
  /** Draw the per-bin contribution strip. */
  showContribution: boolean;
  /** Draw the special bins (other, unseen, null). */
  showSpecialBins: boolean;
  /** Decimals of the score and contributions. */
  decimals: number;
}

export const DEFAULT_DISTRIBUTION_OPTIONS: DistributionOptions = {
  frameSelection: 'feature',
  feature: '$feature',
  showContribution: true,
  showSpecialBins: true,
  decimals: 4,
};
