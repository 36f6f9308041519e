import { useEffect } from "preact/hooks";
import { api, query } from "../api/client";
import type { Approval, Balance, History, Run, WorkflowSummary } from "../api/types";
import { href } from "../router";
import { useSession } from "../session";
import { Alert, Empty, Loading, Page, Stat } from "../ui/components";
import { date, money, relative } from "../ui/format";
import { usePoll, useResource } from "../ui/hooks";

const WEEK_MS = 7 * 24 * 3600 * 1000;
const SPENDING = new Set(["call_charge", "number_charge"]);
const LIVE_REFRESH_MS = 5000;

type LiveRun = { workflow: WorkflowSummary; run?: Run };

/** What the wallet paid for calls and numbers in the last seven days, refunds deducted (from the ledger). */
async function spendThisWeek(): Promise<number> {
  const since = Date.now() - WEEK_MS;
  let cursor: string | null = null;
  let spent = 0;
  for (let page = 0; page < 5; page++) {
    const history: History = await api<History>(`/billing/history${query({ limit: 200, cursor })}`);
    for (const entry of history.entries) {
      if (new Date(entry.created_at).getTime() < since) return spent;
      if (SPENDING.has(entry.kind)) spent -= entry.amount_minor;
      if (entry.kind === "refund") spent -= entry.amount_minor;
    }
    cursor = history.next_cursor;
    if (!cursor) break;
  }
  return spent;
}

async function liveRuns(): Promise<LiveRun[]> {
  const { workflows } = await api<{ workflows: WorkflowSummary[] }>(`/api/workflows${query({ status: "live" })}`);
  return Promise.all(workflows.map(async (workflow) => {
    const { runs } = await api<{ runs: Run[] }>(`/api/workflows/${encodeURIComponent(workflow.id)}/runs?limit=1`);
    return { workflow, run: runs[0] };
  }));
}

export function Overview() {
  const { me } = useSession();
  const balance = useResource(() => api<Balance>("/billing/balance"));
  const spend = useResource(spendThisWeek);
  const approvals = useResource(() => api<{ approvals: Approval[] }>(`/api/approvals${query({ status: "pending" })}`));
  const live = useResource(liveRuns);
  usePoll(async () => { await Promise.all([live.reload(), approvals.reload()]); }, LIVE_REFRESH_MS,
    (live.data?.length ?? 0) > 0);

  useEffect(() => {
    // The overview's first meaningful paint: the wallet is on screen (make bench reads this mark).
    if (balance.data) requestAnimationFrame(() => performance.mark("overview-painted"));
  }, [balance.data !== undefined]);

  const currency = balance.data?.currency ?? me.tenant.currency;
  const pending = approvals.data?.approvals ?? [];
  return (
    <Page title="Overview" actions={<a class="button" href={href("/campaigns/new")}>New campaign</a>}>
      <h2 class="visually-hidden">Wallet</h2>
      {balance.error !== undefined && <Alert error={balance.error} retry={balance.reload} />}
      {!balance.data && !balance.error ? <Loading label="Loading your wallet…" /> : balance.data && (
        <dl class="stats" aria-label="Wallet">
          <Stat label="Balance" value={money(balance.data.balance_minor, currency)} />
          <Stat label="Minutes left" value={balance.data.minutes_remaining_at_bundled_rate}
            hint={`at ${money(balance.data.rate_per_minute_minor, currency)} a minute`} />
          <Stat label="Trial ends" value={balance.data.trial_expires_at ? date(balance.data.trial_expires_at) : "No trial"}
            hint={balance.data.trial_expires_at ? relative(balance.data.trial_expires_at) : undefined} />
          <Stat label="Spent this week" value={spend.data === undefined ? "…" : money(spend.data, currency)} />
        </dl>
      )}
      <div class="columns">
        <section aria-labelledby="live-title" class="card">
          <h2 id="live-title">Live runs</h2>
          {live.error !== undefined && <Alert error={live.error} retry={live.reload} />}
          {!live.data && !live.error && <Loading />}
          {live.data && live.data.length === 0 && <Empty>No campaign is calling right now. <a href={href("/campaigns")}>Your campaigns</a></Empty>}
          {live.data && live.data.length > 0 && (
            <ul class="plain">
              {live.data.map(({ workflow, run }) => (
                <li key={workflow.id}>
                  <a href={href(run ? `/campaigns/${workflow.id}/runs/${run.id}` : `/campaigns/${workflow.id}`)}>{workflow.name}</a>
                  {run && <span class="muted"> — {run.targets_dialed} of {run.targets_total} dialed, {run.targets_connected} connected,
                    {" "}{run.targets_converted} converted{run.approvals_pending ? `, ${run.approvals_pending} waiting for you` : ""}</span>}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="approvals-title" class="card">
          <h2 id="approvals-title">Waiting for your decision</h2>
          {approvals.error !== undefined && <Alert error={approvals.error} retry={approvals.reload} />}
          {!approvals.data && !approvals.error && <Loading />}
          {approvals.data && pending.length === 0 && <Empty>Nothing is waiting for you.</Empty>}
          {pending.length > 0 && (
            <p><strong>{pending.length}</strong> {pending.length === 1 ? "decision is" : "decisions are"} waiting.{" "}
              <a href={href("/approvals")}>Decide now</a></p>
          )}
        </section>
      </div>
    </Page>
  );
}
