/** The CLI's exit codes: 0 every host diagnosed, 2 bad usage or configuration, 3 a host unreachable. */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;
