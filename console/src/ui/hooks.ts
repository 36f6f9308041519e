import { useCallback, useEffect, useRef, useState } from "preact/hooks";

export type Resource<T> = { data?: T; error?: unknown; loading: boolean; reload: () => Promise<void> };

/** Load once (and again when `deps` change or `reload()` is called): loading, error and data states. */
export function useResource<T>(load: () => Promise<T>, deps: unknown[] = []): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    try {
      const data = await load();
      if (mine === generation.current) setState({ data, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((previous) => ({ data: previous.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { ...state, reload };
}

/**
 * Run `tick` every `intervalMs` while `active`, one at a time (never two requests of one view in flight), paused
 * while the tab is hidden. One poll per view: the view's tick fetches what the whole view shows.
 */
export function usePoll(tick: () => Promise<void>, intervalMs: number, active: boolean): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    let stopped = false;
    let timer: number | undefined;
    const schedule = () => {
      if (!stopped) timer = window.setTimeout(run, intervalMs);
    };
    const run = async () => {
      if (document.hidden) return schedule();
      try {
        await latest.current();
      } finally {
        schedule();
      }
    };
    schedule();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [intervalMs, active]);
}

/** A form's submission: busy while it runs, the error it raised (for the fields and the banner). */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action(...args);
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { run, busy, error, setError };
}
