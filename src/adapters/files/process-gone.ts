/**
 * Whether process `pid` of this machine no longer exists: `kill(pid, 0)` sends nothing, and answers
 * ESRCH for no such process. EPERM (a process of another user) and any other answer count as running:
 * what such a process left is never taken for a dead one's. A process of another machine, or of a
 * container whose processes this one cannot see, also answers ESRCH: callers judge its leftovers by
 * their age too.
 */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException | undefined)?.code === 'ESRCH';
  }
}
