import type { SignatureTable } from './kinds.js';

// MySQL and MariaDB servers as every client library relays them (libmysqlclient errmsg.cc,
// mysql-server messages_to_clients.txt, Connector/J, PyMySQL, go-sql-driver, mysql2).

export const MYSQL: SignatureTable = {
  pool_timeout: [/\bToo many connections\b|ER_CON_COUNT_ERROR/i],
  missing_column: [/Unknown column '|Table '[\w.$-]+' doesn't exist|ER_BAD_FIELD_ERROR|ER_NO_SUCH_TABLE/],
  unreachable: [/Can't connect to (?:local )?(?:MySQL |MariaDB )?server (?:on|through)|Lost connection to (?:MySQL )?server|(?:MySQL )?server has gone away|Communications link failure|CommunicationsException/],
};
