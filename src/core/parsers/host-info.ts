// `host_info`: the host's clock, uptime and CPU count. The host clock (not the machine running
// diagbot) anchors every "recent" window and converts dmesg's seconds-since-boot.

export interface HostInfo {
  nowMs: number | null;
  uptimeS: number | null;
  nproc: number | null;
  hostname: string | null;
}

export function parseHostInfo(text: string): HostInfo {
  const field = (key: string) => new RegExp(`^${key} (.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const num = (s: string) => (s !== '' && Number.isFinite(Number(s)) ? Number(s) : null);
  const now = num(field('now'));
  const nproc = num(field('nproc'));
  return {
    nowMs: now !== null ? now * 1000 : null,
    uptimeS: num(field('uptime')),
    nproc: nproc !== null && nproc >= 1 ? Math.floor(nproc) : null,
    hostname: field('hostname') || null,
  };
}
