import { useState } from "preact/hooks";
import { api, query } from "../api/client";
import { unplacedError } from "../api/errors";
import type { DncCheck, DncImport, DncPage, TimelineEvent } from "../api/types";
import { useSession } from "../session";
import { Alert, ConfirmDialog, Empty, Field, Loading, Notice, Page } from "../ui/components";
import { dateTime, words } from "../ui/format";
import { useAction, useResource } from "../ui/hooks";

const DNC_PAGE = 100;

export function Contacts() {
  return (
    <Page title="Contacts" intro="Everything that happened with one person, your do-not-call list, and data requests (export or erase).">
      <Timeline />
      <DoNotCall />
      <DataRequests />
    </Page>
  );
}

function isEmail(identifier: string): boolean {
  return identifier.includes("@");
}

function Timeline() {
  const [identifier, setIdentifier] = useState("");
  const [events, setEvents] = useState<TimelineEvent[] | null>(null);
  const search = useAction(async () => {
    const value = identifier.trim();
    const page = await api<{ events: TimelineEvent[] }>(`/api/timeline${query(isEmail(value) ? { email: value } : { phone: value })}`);
    setEvents(page.events);
  });
  return (
    <section class="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <form class="inline" role="search" onSubmit={(event) => { event.preventDefault(); void search.run(); }}>
        <Field label="Phone number (+country code) or email" name="phone" value={identifier} onValue={setIdentifier}
          error={search.error} required />
        <button type="submit" disabled={search.busy}>Search</button>
      </form>
      {unplacedError(search.error, ["phone", "email"]) && <Alert error={search.error} />}
      {events && events.length === 0 && <Empty>Nothing has happened with this contact.</Empty>}
      {events && events.length > 0 && (
        <ol class="timeline">
          {events.map((event, index) => (
            <li key={index}><time dateTime={event.at}>{dateTime(event.at)}</time> <strong>{words(event.kind)}</strong>
              {event.direction ? ` (${event.direction})` : ""}: {event.summary}</li>
          ))}
        </ol>
      )}
    </section>
  );
}

function DoNotCall() {
  const [offset, setOffset] = useState(0);
  const list = useResource(() => api<DncPage>(`/dnc${query({ limit: DNC_PAGE, offset })}`), [offset]);
  const [phone, setPhone] = useState("");
  const [reason, setReason] = useState("");
  const [checkPhone, setCheckPhone] = useState("");
  const [checked, setChecked] = useState<DncCheck | null>(null);
  const [imported, setImported] = useState<DncImport | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const add = useAction(async () => {
    await api("/dnc/add", { body: { phone_e164: phone, reason: reason || null }, idempotent: true });
    setPhone("");
    setReason("");
    await list.reload();
  });
  const check = useAction(async () => {
    setChecked(await api<DncCheck>(`/dnc/check${query({ phone_e164: checkPhone })}`));
  });
  const importFile = useAction(async (file: File) => {
    const form = new FormData();
    form.append("file", file, file.name);
    setImported(await api<DncImport>("/dnc/import", { form, idempotent: true }));
    await list.reload();
  });
  const remove = useAction(async (number: string) => {
    await api(`/dnc/${encodeURIComponent(number)}`, { method: "DELETE" });
    setRemoving(null);
    await list.reload();
  });
  return (
    <section class="card" aria-labelledby="dnc-title">
      <h2 id="dnc-title">Do-not-call list</h2>
      <p>Numbers here are never called; uploads skip them and every call checks again just before dialing.</p>
      <form class="inline" onSubmit={(event) => { event.preventDefault(); void add.run(); }}>
        <Field label="Number to add (+country code)" name="phone_e164" value={phone} onValue={setPhone} error={add.error} required />
        <Field label="Reason (optional)" name="reason" value={reason} onValue={setReason} error={add.error} />
        <button type="submit" disabled={add.busy}>Add</button>
      </form>
      {unplacedError(add.error, ["phone_e164", "reason"]) && <Alert error={add.error} />}
      <form class="inline" onSubmit={(event) => { event.preventDefault(); void check.run(); }}>
        <Field label="Check a number" name="check_phone" value={checkPhone} onValue={setCheckPhone} required />
        <button type="submit" class="secondary" disabled={check.busy}>Check</button>
      </form>
      <Alert error={check.error} />
      {checked && (
        <Notice tone={checked.would_be_filtered ? "warning" : "success"}>
          {checked.phone_e164}: {checked.would_be_filtered ? "would not be called" : "may be called"}
          {" "}(your list: {checked.on_dnc ? "yes" : "no"}; India's NCPR: {checked.on_ncpr ? "yes" : "no"}; called in the last 7 days: {checked.in_cooldown ? "yes" : "no"})
        </Notice>
      )}
      <div class="field">
        <label for="dnc-import">Import a list (CSV with a phone column and an optional reason)</label>
        <input id="dnc-import" type="file" accept=".csv,text/csv"
          onChange={(event) => { const file = event.currentTarget.files?.[0]; if (file) void importFile.run(file); event.currentTarget.value = ""; }} />
      </div>
      <Alert error={importFile.error} />
      {imported && <Notice tone="success">Imported: {imported.added} added, {imported.skipped_existing} already listed, {imported.skipped_invalid} not valid numbers.</Notice>}
      <Alert error={list.error ?? remove.error} retry={list.error ? list.reload : undefined} />
      {!list.data && !list.error && <Loading />}
      {list.data && list.data.total === 0 && <Empty>The list is empty.</Empty>}
      {list.data && list.data.total > 0 && (
        <>
          <div class="table-wrap">
            <table>
              <caption>{list.data.total} {list.data.total === 1 ? "number" : "numbers"}</caption>
              <thead><tr><th scope="col">Number</th><th scope="col">Reason</th><th scope="col">Added</th>
                <th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {list.data.entries.map((entry) => (
                  <tr key={entry.id}>
                    <td>{entry.phone_e164}</td><td>{entry.reason ?? "—"}</td><td>{dateTime(entry.added_at)}</td>
                    <td class="actions"><button type="button" class="secondary" aria-label={`Remove ${entry.phone_e164}`}
                      onClick={() => setRemoving(entry.phone_e164)}>Remove</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div class="button-row">
            {offset > 0 && <button type="button" class="secondary" onClick={() => setOffset(Math.max(0, offset - DNC_PAGE))}>Previous</button>}
            {offset + DNC_PAGE < list.data.total && <button type="button" class="secondary" onClick={() => setOffset(offset + DNC_PAGE)}>Next</button>}
          </div>
        </>
      )}
      <ConfirmDialog open={removing !== null} title="Remove from the do-not-call list?" confirmLabel="Remove"
        busy={remove.busy} onCancel={() => setRemoving(null)} onConfirm={() => removing && remove.run(removing)}>
        <p>{removing} may be called again by your campaigns (NCPR and the 7-day cool-down still apply).</p>
      </ConfirmDialog>
    </section>
  );
}

type Exported = { contact: { phone_e164: string | null; email: string | null }; audience: unknown[]; calls: unknown[];
  approvals: unknown[]; timeline: unknown[]; dnc: unknown[]; consent_audit: unknown[]; recordings_zip_url: string | null };
type Erased = { erased: boolean; deleted: Record<string, number>; pseudonymised: Record<string, number> };

function DataRequests() {
  const { me } = useSession();
  const [identifier, setIdentifier] = useState("");
  const [exported, setExported] = useState<{ bundle: Exported; url: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState("");
  const [erased, setErased] = useState<Erased | null>(null);
  const exportData = useAction(async () => {
    const bundle = await api<Exported>("/dsr/export", { body: { contact_identifier: identifier.trim() }, idempotent: true });
    const url = URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2)], { type: "application/json" }));
    setExported({ bundle, url });
  });
  const erase = useAction(async () => {
    setErased(await api<Erased>("/dsr/erase", { body: { contact_identifier: identifier.trim() }, idempotent: true }));
    setConfirming(false);
    setTyped("");
  });
  const isAdmin = me.user ? ["owner", "admin"].includes(me.user.role) : me.scope === "admin";
  return (
    <section class="card" aria-labelledby="dsr-title">
      <h2 id="dsr-title">Data requests</h2>
      <p>When someone asks what you hold about them, or asks you to delete it (GDPR, DPDP, CCPA).</p>
      <Field label="Their phone number (+country code) or email" name="contact_identifier" value={identifier}
        onValue={(value) => { setIdentifier(value); setExported(null); setErased(null); }} error={exportData.error ?? erase.error} />
      {unplacedError(exportData.error ?? erase.error, ["contact_identifier"]) && <Alert error={exportData.error ?? erase.error} />}
      <div class="button-row">
        <button type="button" class="secondary" disabled={!identifier.trim() || exportData.busy} onClick={() => exportData.run()}>
          {exportData.busy ? "Collecting…" : "Export their data"}</button>
        {isAdmin && <button type="button" class="danger" disabled={!identifier.trim()} onClick={() => setConfirming(true)}>Erase their data…</button>}
      </div>
      {exported && (
        <Notice tone="success">
          Found {exported.bundle.calls.length} calls, {exported.bundle.audience.length} audience rows,
          {" "}{exported.bundle.timeline.length} timeline events, {exported.bundle.approvals.length} approvals.{" "}
          <a href={exported.url} download={`callfunnel-export-${identifier.trim().replace(/[^A-Za-z0-9@.+-]/g, "_")}.json`}>Download the export (JSON)</a>
          {exported.bundle.recordings_zip_url && <> · <a href={exported.bundle.recordings_zip_url}>Download the recordings (ZIP)</a></>}
        </Notice>
      )}
      {erased && (
        <Notice tone="success">
          Erased. Deleted: {Object.entries(erased.deleted).map(([kind, count]) => `${count} ${words(kind)}`).join(", ") || "nothing"}.
          {" "}Kept without the person's details (for audits): {Object.entries(erased.pseudonymised).map(([kind, count]) => `${count} ${words(kind)}`).join(", ") || "nothing"}.
        </Notice>
      )}
      <ConfirmDialog open={confirming} title="Erase everything about this person?" confirmLabel="Erase for good" danger
        busy={erase.busy} confirmDisabled={typed.trim() !== identifier.trim()}
        onCancel={() => { setConfirming(false); setTyped(""); }} onConfirm={() => erase.run()}>
        <p>Calls, transcripts, recordings, audience rows and timeline events that name <strong>{identifier}</strong> are
          deleted or made anonymous. The number stays blocked from your campaigns. This cannot be undone.</p>
        <Field label={`Type ${identifier.trim()} to confirm`} name="confirm_identifier" value={typed} onValue={setTyped} />
        <Alert error={erase.error} />
      </ConfirmDialog>
    </section>
  );
}
