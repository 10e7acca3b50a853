// Who the browser tests sign in as. e2e/demo-server.mjs creates these users with `roas users add`.
export const ADMIN = {
  username: 'admin',
  password: process.env.ROAS_E2E_ADMIN_PASSWORD ?? 'e2e-admin-Passw0rd!',
  role: 'admin',
} as const;

export const VIEWER = {
  username: 'viewer',
  password: process.env.ROAS_E2E_VIEWER_PASSWORD ?? 'e2e-viewer-Passw0rd!',
  role: 'viewer',
} as const;
