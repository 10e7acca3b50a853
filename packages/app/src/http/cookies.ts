/** The cookie header's name=value pairs; the first of a repeated name wins, values are not decoded. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export type CookieOptions = {
  maxAgeSeconds: number;
  isSecure: boolean;
  sameSite: 'Lax' | 'Strict';
  path?: string;
};

const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const VALUE = /^[A-Za-z0-9!#$%&'()*+./:<=>?@[\]^_`{|}~-]*$/;

/** A Set-Cookie header value; always HttpOnly, since no script of ours needs to read these cookies. */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!TOKEN.test(name)) throw new Error(`bad cookie name ${name}`);
  if (!VALUE.test(value)) throw new Error(`bad cookie value for ${name}`);
  const parts = [
    `${name}=${value}`,
    `Path=${options.path ?? '/'}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'HttpOnly',
    `SameSite=${options.sameSite}`,
  ];
  if (options.maxAgeSeconds <= 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  if (options.isSecure) parts.push('Secure');
  return parts.join('; ');
}
