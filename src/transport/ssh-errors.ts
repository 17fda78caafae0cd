/** Why a host could not be reached; stable words that people and tools can match on. */
export type UnreachableReason =
  | 'refused' | 'connect_timeout' | 'no_banner' | 'handshake_timeout' | 'host_key_unknown'
  | 'host_key_mismatch' | 'host_key_revoked' | 'auth_failed' | 'dns' | 'network' | 'key_file'
  | 'known_hosts_file' | 'connection_lost' | 'other';

/**
 * The diagnosis could not run on this host. Never retried inside one diagnosis: the
 * caller reports it as host_unreachable with this message.
 */
export class HostUnreachableError extends Error {
  readonly code = 'E_HOST_UNREACHABLE';
  constructor(readonly reason: UnreachableReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HostUnreachableError';
  }
}
