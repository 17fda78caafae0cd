-- Connections the pool-kill remediation may end, in the database of the host's Postgres URL only:
-- client backends sitting idle, or idle in a transaction, for at least $1 / $2 seconds.
-- Never diagbot's own session or role, never a superuser or replication role, never another
-- database. Run by diagbot's own pg client under a statement timeout; $3 caps the rows.
SELECT a.pid,
       coalesce(a.usename, '') AS usename,
       coalesce(a.application_name, '') AS application_name,
       coalesce(host(a.client_addr), 'local') AS client,
       a.state,
       extract(epoch FROM now() - a.state_change)::int AS state_seconds,
       -- Microseconds as text: identifies the backend exactly even if its pid is reused.
       (extract(epoch FROM a.backend_start) * 1000000)::bigint::text AS backend_start_us
FROM pg_stat_activity a
JOIN pg_roles r ON r.oid = a.usesysid
WHERE a.backend_type = 'client backend'
  AND a.datname = current_database()
  AND a.pid <> pg_backend_pid()
  AND a.usename <> current_user
  AND NOT r.rolsuper
  AND NOT r.rolreplication
  AND a.application_name NOT LIKE 'diagbot%'
  AND ((a.state = 'idle' AND a.state_change < now() - make_interval(secs => $1::int))
    OR (a.state IN ('idle in transaction', 'idle in transaction (aborted)')
        AND a.state_change < now() - make_interval(secs => $2::int)))
ORDER BY a.state_change
LIMIT $3::int
