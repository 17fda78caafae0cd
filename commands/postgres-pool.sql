-- Read-only: connection use by state against max_connections, for db_pool_exhaustion.
-- Run by diagbot's own pg client (never through a shell) under a statement timeout;
-- one JSON document so an idle server still reports its limits.
SELECT json_build_object(
  'max_connections', current_setting('max_connections')::int,
  'reserved', current_setting('superuser_reserved_connections')::int,
  -- Without pg_read_all_stats (e.g. via pg_monitor) other roles' sessions show no state.
  'sees_all', (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
              OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER'),
  'rows', coalesce((
    SELECT json_agg(r ORDER BY r.count DESC) FROM (
      SELECT coalesce(state, 'unknown') AS state,
             coalesce(datname, '') AS datname,
             coalesce(usename, '') AS usename,
             coalesce(application_name, '') AS application_name,
             count(*)::int AS count,
             coalesce(max(extract(epoch FROM now() - state_change))::int, 0) AS max_state_seconds
      FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
      GROUP BY 1, 2, 3, 4
    ) r), '[]'::json)
)::text AS pool;
