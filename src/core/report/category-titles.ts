import type { Category } from '../types.js';

/** Short human titles; the category id stays next to them so people can still search for it. */
export const CATEGORY_TITLES: Record<Category, string> = {
  upstream_app_error: 'The application answered 500',
  unhandled_exception: 'Unhandled exception in the application',
  nginx_internal_error: 'nginx produced the 500s itself',
  intercepted_upstream_error: 'nginx turned an upstream error into a 500',
  nginx_config_invalid: 'nginx configuration on disk is invalid',
  worker_crash: 'Worker processes crashing or exhausted',
  fd_exhaustion: 'Out of file descriptors',
  memory_exhaustion: 'Out of memory',
  disk_full: 'Disk full',
  db_pool_exhaustion: 'Database connection pool exhausted',
  bad_deploy: 'Bad deploy',
  dependency_down: 'A dependency is down',
  host_unreachable: 'Host unreachable',
};
