import { Component } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, query } from "../api/client";
import type { CallPage, CallSummary, Run, WorkflowDetail } from "../api/types";
import { href } from "../router";
import { Alert, Badge, Empty, Loading, Page, Stat } from "../ui/components";
import { dateTime, duration, money } from "../ui/format";
import { useAction, usePoll, useResource } from "../ui/hooks";

/** How often a running run's view refreshes: one tick fetches the counters and the newest page of calls. */
export const POLL_MS = 2000;
const PAGE_SIZE = 100;

type Calls = { head: CallSummary[]; older: CallSummary[]; cursor: string | null };

/** The newest page replaces the head; pages loaded with "Show more" stay below it, without the head's calls. */
function merge(calls: Calls, head: CallPage): Calls {
  const ids = new Set(head.calls.map((call) => call.id));
  const olderCursor = calls.older.length ? calls.cursor : head.next_cursor;
  return { head: head.calls, older: calls.older.filter((call) => !ids.has(call.id)), cursor: olderCursor };
}

export function LiveRun(props: { workflowId: string; runId: string }) {
  const workflowPath = `/api/workflows/${encodeURIComponent(props.workflowId)}`;
  const workflow = useResource(() => api<WorkflowDetail>(workflowPath), [props.workflowId]);
  const [run, setRun] = useState<Run | undefined>(undefined);
  const [calls, setCalls] = useState<Calls>({ head: [], older: [], cursor: null });
  const [error, setError] = useState<unknown>(undefined);
  const [loaded, setLoaded] = useState(false);

  const refresh = async () => {
    try {
      const [runs, page] = await Promise.all([
        api<{ runs: Run[] }>(`${workflowPath}/runs?limit=20`),
        api<CallPage>(`/api/calls${query({ run_id: props.runId, limit: PAGE_SIZE })}`),
      ]);
      setRun(runs.runs.find((candidate) => candidate.id === props.runId));
      setCalls((current) => merge(current, page));
      setError(undefined);
    } catch (caught) {
      setError(caught);
    } finally {
      setLoaded(true);
    }
  };
  useEffect(() => { void refresh(); }, [props.runId]);
  usePoll(refresh, POLL_MS, !loaded || run?.status === "running");

  const more = useAction(async () => {
    const page = await api<CallPage>(`/api/calls${query({ run_id: props.runId, limit: PAGE_SIZE, cursor: calls.cursor })}`);
    setCalls((current) => {
      const seen = new Set([...current.head, ...current.older].map((call) => call.id));
      return { ...current, older: [...current.older, ...page.calls.filter((call) => !seen.has(call.id))], cursor: page.next_cursor };
    });
  });
  const pause = useAction(async () => {
    await api(`${workflowPath}/pause`, { method: "POST", idempotent: true });
    await refresh();
  });

  const title = workflow.data ? `${workflow.data.name}: run` : "Run";
  const all = [...calls.head, ...calls.older];
  return (
    <Page title={title} actions={run && <Badge value={run.status} />}>
      <p><a href={href(`/campaigns/${props.workflowId}`)}>Back to the campaign</a></p>
      <Alert error={error ?? pause.error} retry={error ? refresh : undefined} />
      {!loaded && <Loading label="Loading the run…" />}
      {loaded && !run && !error && <Empty>This run is not found in the campaign's recent runs.</Empty>}
      {run && (
        <>
          <p class="muted" aria-live="polite">
            {run.status === "running" ? "Updating as calls happen." : run.status === "completed" ? `Finished ${dateTime(run.ended_at)}.` : `The run is ${run.status}.`}
          </p>
          {run.status === "running" && <button type="button" class="secondary" disabled={pause.busy} onClick={() => pause.run()}>Pause calling</button>}
          {run.approvals_pending > 0 && (
            <p class="notice warning">{run.approvals_pending} {run.approvals_pending === 1 ? "person is" : "people are"} waiting on hold for your decision. <a href={href("/approvals")}>Decide now</a></p>
          )}
          <dl class="stats" aria-label="Run counters">
            <Stat label="Dialed" value={`${run.targets_dialed} of ${run.targets_total}`} />
            <Stat label="Connected" value={run.targets_connected} />
            <Stat label="Converted" value={run.targets_converted} />
            <Stat label="Finished" value={run.targets_finished} />
            <Stat label="Waiting for you" value={run.approvals_pending} />
            <Stat label="Opted out" value={run.opted_out} />
            <Stat label="Transferred to a person" value={run.transfers ?? 0} />
            <Stat label="Voicemail · busy · no answer" value={`${run.voicemails} · ${run.busy} · ${run.no_answer}`} />
            <Stat label="Cost" value={money(run.cost_minor, run.currency)} hint={`${run.minutes_billed} min billed`} />
          </dl>
        </>
      )}
      <section class="card" aria-labelledby="calls-title">
        <h2 id="calls-title">Calls <span class="muted">({all.length}{calls.cursor ? "+" : ""})</span></h2>
        {loaded && all.length === 0 && <Empty>No calls yet.</Empty>}
        {all.length > 0 && <CallTable calls={all} />}
        {calls.cursor && <button type="button" class="secondary" disabled={more.busy} onClick={() => more.run()}>
          {more.busy ? "Loading…" : "Show more calls"}</button>}
        <Alert error={more.error} />
      </section>
    </Page>
  );
}

export function CallTable(props: { calls: CallSummary[] }) {
  return (
    <div class="table-wrap">
      <table data-testid="calls">
        <caption class="visually-hidden">Calls, newest first</caption>
        <thead><tr><th scope="col">To</th><th scope="col">Status</th><th scope="col">Outcome</th><th scope="col">Started</th>
          <th scope="col">Length</th><th scope="col">Cost</th><th scope="col">Recording</th></tr></thead>
        <tbody>
          {props.calls.map((call) => <CallRow key={call.id} call={call} />)}
        </tbody>
      </table>
    </div>
  );
}

const SHOWN: Array<keyof CallSummary> = ["to", "status", "outcome", "started_at", "duration_seconds", "cost_minor",
  "currency", "has_recording", "reason"];

/** One row, re-rendered only when what it shows changed: a poll of a 1,000-call run touches only the new calls. */
class CallRow extends Component<{ call: CallSummary }> {
  shouldComponentUpdate(next: { call: CallSummary }): boolean {
    return SHOWN.some((field) => next.call[field] !== this.props.call[field]);
  }

  render() {
    const call = this.props.call;
    return (
      <tr>
        <td><a href={href(`/calls/${call.id}`)}>{call.to}</a>{call.reason === "callback" && <> <span class="badge badge-callback">Callback</span></>}</td>
        <td><Badge value={call.status} /></td>
        <td>{call.outcome ? <Badge value={call.outcome} /> : "—"}</td>
        <td>{dateTime(call.started_at)}</td>
        <td>{duration(call.duration_seconds)}</td>
        <td>{money(call.cost_minor, call.currency)}</td>
        <td>{call.has_recording ? "Yes" : "—"}</td>
      </tr>
    );
  }
}
