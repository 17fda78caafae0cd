/** Who may press remediation buttons: ACTION_APPROVERS user ids (U…/W…) and user groups (S…). */
export interface ApproverDecision { allowed: boolean; reason: string }

export type GroupMembers = (groupId: string) => Promise<string[]>;

/**
 * Decided at click time on the server. An empty list denies everyone; a group whose members
 * cannot be read denies rather than guesses. Group members are cached briefly.
 */
export function approverCheck(approvers: string[], members: GroupMembers, cacheMs = 60_000) {
  const users = new Set(approvers.filter((a) => !a.startsWith('S')));
  const groups = approvers.filter((a) => a.startsWith('S'));
  const cache = new Map<string, { at: number; members: Set<string> }>();
  return async (userId: string): Promise<ApproverDecision> => {
    if (approvers.length === 0) return { allowed: false, reason: 'ACTION_APPROVERS is empty, so nobody may run remediations' };
    if (users.has(userId)) return { allowed: true, reason: 'listed in ACTION_APPROVERS' };
    for (const g of groups) {
      let entry = cache.get(g);
      if (!entry || Date.now() - entry.at > cacheMs) {
        try {
          entry = { at: Date.now(), members: new Set(await members(g)) };
          cache.set(g, entry);
        } catch (err) {
          return { allowed: false, reason: `could not read the members of user group ${g}: ${(err as Error).message}` };
        }
      }
      if (entry.members.has(userId)) return { allowed: true, reason: `member of user group ${g}` };
    }
    return { allowed: false, reason: 'not in ACTION_APPROVERS' };
  };
}
