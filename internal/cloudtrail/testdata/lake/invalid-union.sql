SELECT eventName FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE UNION SELECT name FROM duckdb_tables()
