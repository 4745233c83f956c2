/**
 * User information in a URL (`https://user:token@host/...`) is a credential. It is
 * removed before a URL reaches a label, a log line, a record or a build context.
 */

// A scheme, `://`, then everything up to the last `@` before the host ends (`/`, `?`, `#`).
const USER_INFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*(?:@[^\s/?#@]*)*@/gi;

/** Every URL in `text` without its user information; the rest of the text as it is. */
export function redactUrls(text: string): string {
  return text.replace(USER_INFO, '$1');
}

/**
 * A proxy address without its user information, with or without a scheme
 * (`user:pass@proxy:3128` is how curl and Cargo's `http.proxy` take a login).
 */
export function redactProxy(value: string): string {
  return /^[^\s/@]+@[^\s@]+$/.test(value) ? value.slice(value.lastIndexOf('@') + 1) : redactUrls(value);
}
