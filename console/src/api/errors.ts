// The API's validation messages are written for developers ("password: String should have at least 10 characters").
// These turn them into plain words for the field they name; anything else is shown as the API wrote it.
import { ApiError } from "./client";

const REWRITES: Array<[RegExp, (match: RegExpMatchArray) => string]> = [
  [/^String should have at least (\d+) characters?$/, (m) => `Use at least ${m[1]} characters.`],
  [/^String should have at most (\d+) characters?$/, (m) => `Use at most ${m[1]} characters.`],
  [/^String should match pattern/, () => "This does not look right: check the format."],
  [/^Field required$/, () => "Fill this in."],
  [/^Input should be a valid integer/, () => "Enter a whole number."],
  [/^Input should be a valid number/, () => "Enter a number."],
  [/^Input should be greater than or equal to (\S+)$/, (m) => `Use ${m[1]} or more.`],
  [/^Input should be less than or equal to (\S+)$/, (m) => `Use ${m[1]} or less.`],
  [/^Input should be greater than (\S+)$/, (m) => `Use more than ${m[1]}.`],
  [/^Input should be (.+)$/, (m) => `Choose ${m[1].replace(/'/g, "")}.`],
  [/^value is not a valid email address/i, () => "Enter an email address like name@example.com."],
  [/E\.164 form, e\.g\. '([^']+)'/, (m) => `Enter the number with + and its country code, like ${m[1]}.`],
  [/^Must be between (\S+) and (\S+)$/, (m) => `Use a number from ${m[1]} to ${m[2]}.`],
];

/** Answers whose message is written for a developer, by their code: what a person can do about it. */
const BY_CODE: Record<string, string> = {
  TRANSFER_NOT_AVAILABLE: "This person cannot be put through to a colleague now: the campaign has no transfer number "
    + "(or no longer allows a transfer on an approval), or they are no longer holding on the call. Approve or deny instead.",
};

const EMAIL_FIELDS = new Set(["email", "contact_identifier"]);

/** The message for one field, in plain words. */
export function plainWords(message: string, field?: string): string {
  let text = message.trim();
  if (field) {
    const prefix = `${field}: `;
    if (text.startsWith(prefix)) text = text.slice(prefix.length);
  }
  if (field && EMAIL_FIELDS.has(lastPart(field)) && /^String should match pattern/.test(text)) {
    return "Enter an email address like name@example.com.";
  }
  for (const [pattern, rewrite] of REWRITES) {
    const match = text.match(pattern);
    if (match) return rewrite(match);
  }
  return text;
}

function lastPart(field: string): string {
  const parts = field.split(".");
  return parts[parts.length - 1];
}

/** Normalise a field name the API sends ("rule_book.calling_window.start", "body.email") to the form's name. */
export function normaliseField(field: string): string {
  return field.replace(/^(body|query|path)\./, "").replace(/^rule_book\./, "");
}

/** What the form shows next to `name`: the API's own field, or one of its listed problems. */
export function errorFor(error: unknown, name: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  for (const problem of error.problems) {
    if (normaliseField(problem.field) === name) return plainWords(problem.message, problem.field);
  }
  if (error.field && normaliseField(error.field) === name) return plainWords(error.message, error.field);
  return undefined;
}

/** The general message of an error (for a banner), in plain words. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) return "Too many requests just now. Wait a moment and try again.";
    if (error.status >= 500) return `Something went wrong on our side (${error.code}). Try again in a moment.`;
    if (BY_CODE[error.code]) return BY_CODE[error.code];
    return plainWords(error.message, error.field);
  }
  return error instanceof Error ? error.message : String(error);
}

/** Whether a banner is needed besides the field messages: any problem the form has no field for. */
export function unplacedError(error: unknown, fields: string[]): boolean {
  if (!(error instanceof ApiError)) return error !== undefined && error !== null;
  const names = new Set(fields);
  if (error.field && names.has(normaliseField(error.field))) {
    return error.problems.some((p) => !names.has(normaliseField(p.field)));
  }
  return true;
}
