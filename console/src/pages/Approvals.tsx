import { useEffect, useState } from "preact/hooks";
import { api, query } from "../api/client";
import type { Approval, WorkflowDetail } from "../api/types";
import { Alert, Badge, Empty, Field, Loading, Page, Select } from "../ui/components";
import { dateTime, money, relative, words } from "../ui/format";
import { useAction, usePoll, useResource } from "../ui/hooks";

const REFRESH_MS = 5000;

function proposal(approval: Approval): string {
  const action = words(approval.proposed_action);
  const context = typeof approval.context === "object" && approval.context ? approval.context : {};
  const percent = (context as Record<string, unknown>).percent ?? (context as Record<string, unknown>).discount_percent;
  if (typeof percent === "number") return `${action}: ${percent}% off`;
  if (approval.proposed_value_minor) return `${action}: ${money(approval.proposed_value_minor, approval.currency)}`;
  return action;
}

function saidBy(approval: Approval): string | undefined {
  const context = typeof approval.context === "object" && approval.context ? approval.context : {};
  const said = (context as Record<string, unknown>).callee_said;
  return typeof said === "string" && said ? said : undefined;
}

/** The transfer number each campaign's rule book lets an approval use (null: none), read once per campaign. */
function useTransferNumbers(approvals: Approval[] | undefined): Record<string, string | null> {
  const [numbers, setNumbers] = useState<Record<string, string | null>>({});
  const wanted = [...new Set((approvals ?? []).filter((approval) => approval.status === "pending"
    && approval.proposed_action === "concession").map((approval) => approval.workflow_id))];
  const missing = wanted.filter((id) => !(id in numbers));
  useEffect(() => {
    if (missing.length === 0) return;
    let current = true;
    void Promise.all(missing.map(async (id): Promise<[string, string | null]> => {
      try {
        const policy = (await api<WorkflowDetail>(`/api/workflows/${encodeURIComponent(id)}`)).rule_book.transfer_policy;
        return [id, policy?.number && policy.on_approval ? policy.number : null];
      } catch {
        return [id, null];  // no Transfer button; Approve and Deny still work
      }
    })).then((found) => { if (current) setNumbers((known) => ({ ...known, ...Object.fromEntries(found) })); });
    return () => { current = false; };
  }, [missing.join(",")]);
  return numbers;
}

export function Approvals() {
  const [status, setStatus] = useState("pending");
  const list = useResource(() => api<{ approvals: Approval[] }>(`/api/approvals${query({ status })}`), [status]);
  usePoll(list.reload, REFRESH_MS, status === "pending");
  const transferNumbers = useTransferNumbers(list.data?.approvals);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return (
    <Page title="Approvals" intro="When the AI caller wants to offer more than it may on its own, or to book a callback, it asks you here (or in Slack) while the person holds.">
      <Select label="Show" name="status" value={status} onValue={setStatus}
        options={[["pending", "Waiting for a decision"], ["approved", "Approved"], ["denied", "Denied"], ["expired", "Expired"]]} />
      <Alert error={list.error} retry={list.error ? list.reload : undefined} />
      {!list.data && !list.error && <Loading />}
      {list.data && list.data.approvals.length === 0 && <Empty>{status === "pending" ? "Nothing is waiting for you." : "None."}</Empty>}
      <ul class="plain approvals">
        {list.data?.approvals.map((approval) => (
          <li key={approval.id}><ApprovalCard approval={approval} now={now} onDecided={list.reload}
            transferNumber={transferNumbers[approval.workflow_id] ?? null} /></li>
        ))}
      </ul>
    </Page>
  );
}

function ApprovalCard(props: { approval: Approval; now: number; onDecided: () => Promise<void>; transferNumber: string | null }) {
  const approval = props.approval;
  const [note, setNote] = useState("");
  const decide = useAction(async (decision: "approve" | "deny" | "transfer") => {
    await api(`/api/approvals/${encodeURIComponent(approval.id)}/decide`, { body: { decision, note: note || null }, idempotent: true });
    await props.onDecided();
  });
  const pending = approval.status === "pending";
  const headingId = `approval-${approval.id}`;
  return (
    <article class="card approval" aria-labelledby={headingId}>
      <h2 id={headingId}>{proposal(approval)} <span class="muted">for {approval.target_phone}</span></h2>
      <dl class="pairs">
        <div><dt>Why</dt><dd>{approval.rationale || "—"}</dd></div>
        {saidBy(approval) && <div><dt>They said</dt><dd>“{saidBy(approval)}”</dd></div>}
        <div><dt>Asked</dt><dd>{dateTime(approval.created_at)}</dd></div>
        {pending && approval.expires_at && <div><dt>Time left</dt><dd>{relative(approval.expires_at, props.now)}</dd></div>}
        {!pending && <div><dt>Decision</dt><dd><Badge value={approval.status} /> {dateTime(approval.decided_at)}{approval.note ? ` — “${approval.note}”` : ""}</dd></div>}
      </dl>
      {pending && (
        <form onSubmit={(event) => event.preventDefault()}>
          <Field label="Note (optional)" name="note" value={note} onValue={setNote} error={decide.error}
            hint="Kept with the decision; up to 500 characters." />
          <Alert error={decide.error} />
          <div class="button-row">
            <button type="button" disabled={decide.busy} onClick={() => decide.run("approve")}>Approve</button>
            <button type="button" class="danger" disabled={decide.busy} onClick={() => decide.run("deny")}>Deny</button>
            {approval.proposed_action === "concession" && props.transferNumber && (
              <button type="button" class="secondary" disabled={decide.busy} onClick={() => decide.run("transfer")}
                aria-describedby={`${headingId}-transfer`}>Transfer</button>
            )}
          </div>
          {approval.proposed_action === "concession" && props.transferNumber && (
            <p class="hint" id={`${headingId}-transfer`}>Transfer: instead of an answer, the person is put through to
              your colleague at the number ending {props.transferNumber.slice(-4)}.</p>
          )}
        </form>
      )}
    </article>
  );
}
