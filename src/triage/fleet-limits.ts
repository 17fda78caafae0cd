import pLimit, { type LimitFunction } from 'p-limit';

/**
 * Process-wide limits shared by every diagnosis in this process (a CLI call over a fleet, or a
 * worker's concurrent jobs): SSH handshakes at once, and channels open at once across all hosts.
 * Work waits for a slot before it starts, and its time budget starts with it, so a queue never
 * eats a command's time. Per host, channels are also bounded by the host's own MaxSessions
 * (learnt from refusals, see ssh-transport.ts).
 */
export interface FleetLimits {
  connects: LimitFunction;
  channels: LimitFunction;
}

/** Handshakes in flight: each costs the host an sshd fork and key exchange, and diagbot CPU. */
export const DEFAULT_MAX_CONNECTING = 8;
/** Channels in flight across hosts: with ~2-4 batch channels per host, about 16 hosts working at once. */
export const DEFAULT_MAX_CHANNELS = 48;

let shared: FleetLimits | null = null;

export function fleetLimits(): FleetLimits {
  shared ??= { connects: pLimit(DEFAULT_MAX_CONNECTING), channels: pLimit(DEFAULT_MAX_CHANNELS) };
  return shared;
}

/** Sets the process-wide limits (the service does it from SSH_MAX_CONNECTING / SSH_MAX_CHANNELS). */
export function configureFleetLimits(l: { connecting: number; channels: number }): FleetLimits {
  const f = fleetLimits();
  f.connects.concurrency = l.connecting;
  f.channels.concurrency = l.channels;
  return f;
}
