import { createContext, useContext } from 'react';
import type { Me, Role } from '../api/types.ts';

export const SessionContext = createContext<Me | null>(null);

/** The signed-in session; only used under RequireSession, which renders nothing else when signed out. */
export function useSession(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession outside a signed-in page');
  return me;
}

const RANK: Record<Role, number> = { viewer: 0, approver: 1, admin: 2 };

export function hasRole(role: Role, needed: Role): boolean {
  return (RANK[role] ?? -1) >= RANK[needed];
}

export function useCan(needed: Role): boolean {
  return hasRole(useSession().user.role, needed);
}
