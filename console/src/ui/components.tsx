import type { ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { describe, errorFor } from "../api/errors";
import { words } from "./format";

/** A page's frame: its title is the page's one h1, focused when the page opens (screen readers hear where they are). */
export function Page(props: { title: string; children: ComponentChildren; actions?: ComponentChildren; intro?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · CallFunnel`;
    heading.current?.focus({ preventScroll: true });
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1} ref={heading}>{props.title}</h1>
        {props.actions && <div class="page-actions">{props.actions}</div>}
      </header>
      {props.intro && <p class="intro">{props.intro}</p>}
      {props.children}
    </section>
  );
}

export function Loading(props: { label?: string }) {
  return <p class="loading" role="status">{props.label ?? "Loading…"}</p>;
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

/** An error the form could not place next to a field, in plain words. */
export function Alert(props: { error: unknown; retry?: () => void }) {
  if (props.error === undefined || props.error === null) return null;
  return (
    <div class="alert" role="alert">
      <p>{describe(props.error)}</p>
      {props.retry && <button type="button" class="secondary" onClick={props.retry}>Try again</button>}
    </div>
  );
}

export function Notice(props: { children: ComponentChildren; tone?: "info" | "warning" | "success" }) {
  return <div class={`notice ${props.tone ?? "info"}`} role="status">{props.children}</div>;
}

type FieldProps = {
  label: string;
  name: string;
  value: string | number;
  onValue: (value: string) => void;
  error?: unknown;
  hint?: string;
  type?: string;
  required?: boolean;
  multiline?: boolean;
  rows?: number;
  autoComplete?: string;
  placeholder?: string;
  min?: number;
  max?: number;
  step?: number | string;
  disabled?: boolean;
};

/** A labelled input with its hint and, from the API's answer, the error that names this field. */
export function Field(props: FieldProps) {
  const id = useId();
  const message = errorFor(props.error, props.name);
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = message ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const common = {
    id, name: props.name, value: props.value, required: props.required, disabled: props.disabled,
    placeholder: props.placeholder, "aria-invalid": message ? true : undefined, "aria-describedby": describedBy,
    onInput: (event: Event) => props.onValue((event.currentTarget as HTMLInputElement | HTMLTextAreaElement).value),
  };
  return (
    <div class={`field${message ? " invalid" : ""}`}>
      <label for={id}>{props.label}{props.required && <span aria-hidden="true"> *</span>}</label>
      {props.hint && <p class="hint" id={hintId}>{props.hint}</p>}
      {props.multiline
        ? <textarea rows={props.rows ?? 4} {...common} />
        : <input type={(props.type ?? "text") as "text"} autoComplete={props.autoComplete} min={props.min} max={props.max}
            step={props.step} {...common} />}
      {message && <p class="error" id={errorId}>{message}</p>}
    </div>
  );
}

export function Select(props: { label: string; name: string; value: string; options: Array<[string, string]>;
  onValue: (value: string) => void; error?: unknown; hint?: string }) {
  const id = useId();
  const message = errorFor(props.error, props.name);
  return (
    <div class={`field${message ? " invalid" : ""}`}>
      <label for={id}>{props.label}</label>
      {props.hint && <p class="hint" id={`${id}-hint`}>{props.hint}</p>}
      <select id={id} name={props.name} value={props.value} aria-invalid={message ? true : undefined}
        aria-describedby={[props.hint ? `${id}-hint` : "", message ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined}
        onChange={(event) => props.onValue(event.currentTarget.value)}>
        {props.options.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
      </select>
      {message && <p class="error" id={`${id}-error`}>{message}</p>}
    </div>
  );
}

export function Checkbox(props: { label: string; name: string; checked: boolean; onValue: (value: boolean) => void; hint?: string }) {
  const id = useId();
  return (
    <div class="field checkbox">
      <input type="checkbox" id={id} name={props.name} checked={props.checked}
        onChange={(event) => props.onValue(event.currentTarget.checked)} />
      <label for={id}>{props.label}</label>
      {props.hint && <p class="hint">{props.hint}</p>}
    </div>
  );
}

export function Stat(props: { label: string; value: ComponentChildren; hint?: string }) {
  return (
    <div class="stat">
      <dt>{props.label}</dt>
      <dd>{props.value}{props.hint && <span class="stat-hint">{props.hint}</span>}</dd>
    </div>
  );
}

/** Values whose words alone would not tell a person what happened. */
const BADGE_WORDS: Record<string, string> = { transferred: "transferred to a person", callback: "asked for a callback" };

export function Badge(props: { value: string | null | undefined }) {
  const value = props.value ?? "unknown";
  return <span class={`badge badge-${value.replace(/[^a-z_-]/gi, "")}`}>{BADGE_WORDS[value] ?? words(value)}</span>;
}

/** A confirmation in a native modal dialog (focus is trapped and Escape cancels, as the platform does it). */
export function ConfirmDialog(props: { open: boolean; title: string; children: ComponentChildren; confirmLabel: string;
  busy?: boolean; danger?: boolean; onConfirm: () => void; onCancel: () => void; confirmDisabled?: boolean; cancelLabel?: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (props.open && !element.open) element.showModal();
    if (!props.open && element.open) element.close();
  }, [props.open]);
  const titleId = useId();
  return (
    <dialog ref={dialog} aria-labelledby={titleId} onCancel={(event) => { event.preventDefault(); props.onCancel(); }}>
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
      <div class="dialog-actions">
        <button type="button" class="secondary" onClick={props.onCancel}>{props.cancelLabel ?? "Cancel"}</button>
        <button type="button" class={props.danger ? "danger" : ""} disabled={props.busy || props.confirmDisabled}
          onClick={props.onConfirm}>{props.busy ? "Working…" : props.confirmLabel}</button>
      </div>
    </dialog>
  );
}

/** A secret shown once (an API key, a webhook's signing secret): copy it now, it is never shown again. */
export function SecretOnce(props: { title: string; label: string; secret: string; doneLabel: string; onDone: () => void;
  children: ComponentChildren }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.secret);
      setCopied(true);
    } catch {
      (document.getElementById(`${id}-secret`) as HTMLInputElement | null)?.select();
    }
  };
  return (
    <section class="card secret" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{props.title}</h2>
      <p role="alert" class="warning"><strong>Copy it now: this is the only time it is shown.</strong> {props.children}</p>
      <label for={`${id}-secret`}>{props.label}</label>
      <div class="copy-row">
        <input id={`${id}-secret`} readOnly value={props.secret} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={copy}>{copied ? "Copied" : "Copy"}</button>
      </div>
      <p aria-live="polite" class="muted">{copied ? "It is on your clipboard." : ""}</p>
      <button type="button" class="secondary" onClick={props.onDone}>{props.doneLabel}</button>
    </section>
  );
}
