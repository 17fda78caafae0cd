import type { SignatureTable } from './kinds.js';

// .NET: Npgsql, Microsoft.Data.SqlClient, EF Core, StackExchange.Redis and the CLR. Texts from
// npgsql/npgsql PoolingDataSource.cs and NpgsqlConnector.cs, dotnet/SqlClient Strings.resx,
// dotnet/runtime Strings.resx, StackExchange/StackExchange.Redis ExceptionFactory.cs.

export const DOTNET: SignatureTable = {
  pool_timeout: [/prior to obtaining a connection from the pool/],
  out_of_memory: [/\bOutOfMemoryException\b|Insufficient memory to continue the execution of the program/],
  missing_module: [/Could not load file or assembly '|Could not load type '[\w.`]+' from assembly/],
  missing_column: [/Invalid column name '|Invalid object name '/],
  unreachable: [/Failed to connect to \[?[\w.:-]+\]?:\d+|It was not possible to connect to the redis server|A network-related or instance-specific error occurred while establishing a connection to SQL Server|Exception while connecting|A transport-level error has occurred/],
};
