// The one way the console talks to the API: same origin, the session cookie, the CSRF token on writes, and the
// contract's error JSON ({error, code, field?, errors?}) turned into an ApiError the forms can show by field.

export type FieldProblem = { field: string; message: string };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field?: string;
  readonly problems: FieldProblem[];

  constructor(status: number, code: string, message: string, field?: string, problems: FieldProblem[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.problems = problems;
  }
}

/** The readable half of the double-submit CSRF token, set by POST /auth/login beside the HttpOnly session cookie. */
function csrfToken(): string {
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("cf_csrf="));
  return cookie ? decodeURIComponent(cookie.slice("cf_csrf=".length)) : "";
}

const SAFE_METHODS = new Set(["GET", "HEAD"]);
let onUnauthorized: () => void = () => {};

/** Called when an authenticated request answers 401 (the session expired or was revoked). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export type RequestOptions = {
  method?: string;
  body?: unknown;
  form?: FormData;
  /** Sent on state-changing POSTs the contract makes idempotent: a double click is one action. */
  idempotent?: boolean;
  /** 401 is an answer to show (the login form), not an expired session. */
  quietUnauthorized?: boolean;
};

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? (options.body !== undefined || options.form ? "POST" : "GET");
  const headers: Record<string, string> = { Accept: "application/json" };
  let body: BodyInit | undefined;
  if (options.form) {
    body = options.form;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  if (!SAFE_METHODS.has(method)) headers["X-CSRF-Token"] = csrfToken();
  if (options.idempotent) headers["Idempotency-Key"] = crypto.randomUUID();
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "NETWORK", "The CallFunnel service cannot be reached. Check your connection and try again.");
  }
  if (response.status === 401 && !options.quietUnauthorized) onUnauthorized();
  const text = await response.text();
  const data = text ? parseJson(text) : undefined;
  if (!response.ok) {
    const payload = (data ?? {}) as { error?: string; code?: string; field?: string; errors?: FieldProblem[] };
    throw new ApiError(response.status, payload.code ?? `HTTP_${response.status}`,
      payload.error ?? `The service answered ${response.status}`, payload.field ?? undefined,
      Array.isArray(payload.errors) ? payload.errors : []);
  }
  return data as T;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A query string from the defined values only. */
export function query(values: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
