import { useCallback, useEffect, useRef, useState } from "react";
import * as api from "./api";
import { toRow, type RunRow } from "./lib/runRow";

export interface RunsState {
  rows: RunRow[];
  done: boolean;
  error?: Error;
  reload: () => void;
}

// A small first page paints the table fast; the rest streams in behind it.
const FIRST_PAGE = 100;
const NEXT_PAGE = 1000;
const LIVE_REFRESH_MS = 5000;

/** All runs matching a server-side filter and order, fetched page by page. Runs still
 * RUNNING are re-read every few seconds, so live runs update in place. */
export function useRuns(experimentId: string, filter: string, order: string | null, viewType: api.ViewType): RunsState {
  const [rows, setRows] = useState<RunRow[]>([]);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<Error>();
  const [tick, setTick] = useState(0);
  const rowsRef = useRef(rows);
  useEffect(() => {
    rowsRef.current = rows;
  }, [rows]);

  useEffect(() => {
    let live = true;
    setRows([]);
    setDone(false);
    setError(undefined);
    (async () => {
      let token: string | undefined;
      let acc: RunRow[] = [];
      do {
        const page = await api.searchRuns({
          experimentIds: [experimentId],
          filter,
          orderBy: order ? [order] : undefined,
          viewType,
          maxResults: acc.length ? NEXT_PAGE : FIRST_PAGE,
          pageToken: token,
        });
        if (!live) return;
        acc = acc.concat(page.runs.map(toRow));
        setRows(acc);
        token = page.next_page_token;
      } while (token);
      setDone(true);
    })().catch((e: unknown) => live && setError(e instanceof Error ? e : new Error(String(e))));
    return () => {
      live = false;
    };
  }, [experimentId, filter, order, viewType, tick]);

  // Live refresh: only the running runs, merged in place by id.
  const anyRunning = done && rows.some((r) => r.status === "RUNNING");
  useEffect(() => {
    if (!anyRunning) return;
    let live = true;
    const timer = window.setInterval(() => {
      const running = rowsRef.current.filter((r) => r.status === "RUNNING").map((r) => r.id);
      Promise.all(running.slice(0, 200).map((id) => api.getRun(id)))
        .then((runs) => {
          if (!live) return;
          const fresh = new Map(runs.map((r) => [r.info.run_id, toRow(r)]));
          setRows((prev) => prev.map((r) => fresh.get(r.id) ?? r));
        })
        .catch(() => undefined); // transient; the next tick retries
    }, LIVE_REFRESH_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [anyRunning]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { rows, done, error, reload };
}
