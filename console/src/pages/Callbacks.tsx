import { useState } from "preact/hooks";
import { api, query } from "../api/client";
import type { Callback } from "../api/types";
import { href, navigate } from "../router";
import { Alert, Badge, ConfirmDialog, Empty, Loading, Page, Select } from "../ui/components";
import { dateTime, relative, words } from "../ui/format";
import { useAction, useResource } from "../ui/hooks";

const STATUSES: Array<[string, string]> = [
  ["", "All"], ["scheduled", "Scheduled"], ["placed", "Placed"], ["cancelled", "Cancelled"], ["skipped", "Skipped"],
];
/** Why a due callback was not placed, in plain words (anything else is shown as the API names it). */
const SKIP_REASONS: Record<string, string> = {
  dnc: "the number is on the do-not-call list", erased: "their data was erased", paused: "the campaign was paused",
  retired: "the campaign was retired", no_funds: "the wallet was empty",
  not_scheduled: "it could not be booked with the scheduler (call them yourself)",
};

/** People who asked to be called back: when, what they said, and a way to cancel one that is still to come. */
export function Callbacks(props: { status: string }) {
  const callbacks = useResource(() => api<{ callbacks: Callback[] }>(`/api/callbacks${query({ status: props.status })}`),
    [props.status]);
  const [cancelling, setCancelling] = useState<Callback | null>(null);
  const cancel = useAction(async (callback: Callback) => {
    try {
      await api<Callback>(`/api/callbacks/${encodeURIComponent(callback.id)}`, { method: "DELETE" });
    } finally {
      // Refused too (it fell due meanwhile): close the question and show the callback as it is now, beside the answer.
      setCancelling(null);
      await callbacks.reload();
    }
  });
  return (
    <Page title="Callbacks" intro="When someone asks the AI to call them back, the call is booked inside their legal calling hours and placed on time.">
      <form class="inline" onSubmit={(event) => event.preventDefault()}>
        <Select label="Show" name="status" value={props.status} options={STATUSES}
          onValue={(status) => navigate(status ? `/callbacks?status=${status}` : "/callbacks")} />
      </form>
      <section class="card" aria-labelledby="callbacks-title">
        <h2 id="callbacks-title">{props.status ? `${words(props.status)} callbacks` : "All callbacks"}</h2>
        <Alert error={callbacks.error ?? cancel.error} retry={callbacks.error ? callbacks.reload : undefined} />
        {!callbacks.data && !callbacks.error && <Loading />}
        {callbacks.data && callbacks.data.callbacks.length === 0 && (
          <Empty>No callbacks{props.status ? ` ${props.status}` : ""}. When someone on a call asks to be called back, it appears here.</Empty>
        )}
        {callbacks.data && callbacks.data.callbacks.length > 0 && (
          <div class="table-wrap">
            <table data-testid="callbacks">
              <caption class="visually-hidden">Callbacks, the latest due first</caption>
              <thead><tr><th scope="col">Who</th><th scope="col">Due</th><th scope="col">Status</th><th scope="col">They said</th>
                <th scope="col">Calls</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {callbacks.data.callbacks.map((callback) => (
                  <tr key={callback.id}>
                    <td>{callback.target_phone}</td>
                    <td>{dateTime(callback.due_at)}{callback.status === "scheduled" && <span class="stat-hint">{relative(callback.due_at)}</span>}</td>
                    <td><Badge value={callback.status} />{callback.status === "skipped" && callback.skip_reason && (
                      <span class="stat-hint">Not called: {SKIP_REASONS[callback.skip_reason] ?? words(callback.skip_reason)}</span>)}
                      {callback.status === "cancelled" && callback.cancelled_at && <span class="stat-hint">{dateTime(callback.cancelled_at)}</span>}</td>
                    <td>{callback.requested_text ? `“${callback.requested_text}”` : "—"}</td>
                    <td>
                      {callback.origin_call_id && <a href={href(`/calls/${callback.origin_call_id}`)}>The call they asked on</a>}
                      {callback.call_id && <><br /><a href={href(`/calls/${callback.call_id}`)}>The callback call</a></>}
                    </td>
                    <td class="actions">{callback.status === "scheduled" && (
                      <button type="button" class="secondary" onClick={() => setCancelling(callback)}
                        aria-label={`Cancel the callback to ${callback.target_phone}`}>Cancel…</button>
                    )}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ConfirmDialog open={cancelling !== null} title="Cancel this callback?" confirmLabel="Cancel the callback" cancelLabel="Keep it" danger
        busy={cancel.busy} onCancel={() => setCancelling(null)} onConfirm={() => cancelling && cancel.run(cancelling)}>
        <p>{cancelling?.target_phone} will not be called back {cancelling ? dateTime(cancelling.due_at) : ""}. This cannot be undone.</p>
      </ConfirmDialog>
    </Page>
  );
}
