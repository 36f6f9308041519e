import { useState } from "preact/hooks";
import { api } from "../api/client";
import { unplacedError } from "../api/errors";
import type { ApiKey, MintedKey } from "../api/types";
import { Alert, Badge, ConfirmDialog, Empty, Field, Loading, Page, SecretOnce, Select } from "../ui/components";
import { dateTime } from "../ui/format";
import { useAction, useResource } from "../ui/hooks";

const SCOPES: Array<[string, string]> = [
  ["read", "Read: look only"], ["write", "Write: read, and change things"], ["admin", "Admin: write, and delete things"],
];
const EXPIRIES: Array<[string, string]> = [["", "Never"], ["30", "In 30 days"], ["90", "In 90 days"], ["365", "In a year"]];

export function Keys() {
  const keys = useResource(() => api<{ keys: ApiKey[] }>("/api-keys"));
  const [minted, setMinted] = useState<MintedKey | null>(null);
  const [deleting, setDeleting] = useState<ApiKey | null>(null);
  const revoke = useAction(async (key: ApiKey) => {
    await api(`/api-keys/${encodeURIComponent(key.id)}/revoke`, { body: { reason: "revoked in the console" } });
    await keys.reload();
  });
  const remove = useAction(async (key: ApiKey) => {
    await api(`/api-keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
    setDeleting(null);
    await keys.reload();
  });
  return (
    <Page title="API keys" intro="Keys let your own software use the CallFunnel API. Each key works for the whole workspace.">
      {minted && (
        <SecretOnce title={`Your new key “${minted.name}”`} label="Secret key" secret={minted.secret}
          onDone={() => setMinted(null)} doneLabel="I have saved it — hide the key">
          We keep only a fingerprint of it and cannot show it again. If you lose it, revoke it and mint another.
        </SecretOnce>
      )}
      <MintForm onMinted={async (key) => { setMinted(key); await keys.reload(); }} />
      <section class="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Your keys</h2>
        <Alert error={keys.error ?? revoke.error ?? remove.error} retry={keys.error ? keys.reload : undefined} />
        {!keys.data && !keys.error && <Loading />}
        {keys.data && keys.data.keys.length === 0 && <Empty>No keys yet. Mint one above.</Empty>}
        {keys.data && keys.data.keys.length > 0 && (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">API keys</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Access</th><th scope="col">Status</th>
                <th scope="col">Last used</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {keys.data.keys.map((key) => (
                  <tr key={key.id}>
                    <td>{key.name}</td>
                    <td><code>{key.prefix}…</code></td>
                    <td>{key.scope}</td>
                    <td><Badge value={key.status} /></td>
                    <td>{dateTime(key.last_used_at)}</td>
                    <td>{key.expires_at ? dateTime(key.expires_at) : "Never"}</td>
                    <td class="actions">
                      {key.status === "active"
                        ? <button type="button" class="secondary" disabled={revoke.busy} onClick={() => revoke.run(key)}
                            aria-label={`Revoke ${key.name}`}>Revoke</button>
                        : <button type="button" class="danger" onClick={() => setDeleting(key)}
                            aria-label={`Delete ${key.name}`}>Delete</button>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ConfirmDialog open={deleting !== null} title="Delete this key for good?" confirmLabel="Delete key" danger
        busy={remove.busy} onCancel={() => setDeleting(null)} onConfirm={() => deleting && remove.run(deleting)}>
        <p>{deleting?.name} ({deleting?.prefix}…) and its history will be removed. This cannot be undone.</p>
      </ConfirmDialog>
    </Page>
  );
}

function MintForm(props: { onMinted: (key: MintedKey) => Promise<void> }) {
  const [name, setName] = useState("");
  const [scope, setScope] = useState("write");
  const [expiry, setExpiry] = useState("");
  const mint = useAction(async () => {
    const body: Record<string, unknown> = { name, scope };
    if (expiry) body.expires_in_days = Number(expiry);
    const key = await api<MintedKey>("/api-keys", { body, idempotent: true });
    setName("");
    await props.onMinted(key);
  });
  return (
    <form class="card" aria-labelledby="mint-title" onSubmit={(event) => { event.preventDefault(); void mint.run(); }}>
      <h2 id="mint-title">Mint a key</h2>
      {unplacedError(mint.error, ["name", "scope", "expires_in_days"]) && <Alert error={mint.error} />}
      <div class="row">
        <Field label="Name" name="name" required value={name} onValue={setName} error={mint.error}
          hint="Who or what uses it, e.g. “CRM sync”." />
        <Select label="Access" name="scope" value={scope} options={SCOPES} onValue={setScope} error={mint.error} />
        <Select label="Expires" name="expires_in_days" value={expiry} options={EXPIRIES} onValue={setExpiry} error={mint.error} />
      </div>
      <button type="submit" disabled={mint.busy}>{mint.busy ? "Minting…" : "Mint key"}</button>
    </form>
  );
}
