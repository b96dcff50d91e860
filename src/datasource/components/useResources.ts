import { useEffect, useState } from 'react';
import { getTemplateSrv } from '@grafana/runtime';

export interface AsyncState<T> {
  loading: boolean;
  value: T;
  error?: string;
}

/** Loads a resource list; reloads when the key changes; keeps the last value while loading. */
export function useResource<T>(load: () => Promise<T>, key: string, initial: T): AsyncState<T> {
  const [state, setState] = useState<{ key?: string; value: T; error?: string }>({ value: initial });
  useEffect(() => {
    let cancelled = false;
    load()
      .then((value) => !cancelled && setState({ key, value }))
      .catch((e: unknown) => {
        if (!cancelled) {
          const message =
            (e as { data?: { message?: string } })?.data?.message ?? (e as Error)?.message ?? String(e ?? 'error');
          setState({ key, value: initial, error: message });
        }
      });
    return () => {
      cancelled = true;
    };
    // `load` and `initial` are recreated on every render; `key` says when the request really changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return { loading: state.key !== key, value: state.value, error: state.key === key ? state.error : undefined };
}

/** Names of the dashboard's template variables as `$name`, offered in pick-lists. */
export function templateVariableNames(): string[] {
  try {
    return getTemplateSrv()
      .getVariables()
      .map((v) => `$${v.name}`);
  } catch {
    return [];
  }
}
