import React, { ChangeEvent } from 'react';
import { Input } from '@grafana/ui';

/**
 * A number input whose empty value means "not set" (undefined: the backend default applies); the caller decides
 * when to run the query (on blur).
 */
export function OptionalNumberInput(props: {
  id: string;
  width: number;
  placeholder: string;
  step?: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  onBlur: () => void;
}) {
  const { value, onChange, ...rest } = props;
  return (
    <Input
      {...rest}
      type="number"
      value={value ?? ''}
      onChange={(e: ChangeEvent<HTMLInputElement>) =>
        onChange(e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))
      }
    />
  );
}
