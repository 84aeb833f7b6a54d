SELECT eventName, count(*) FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE WHERE eventTime > '2026-01-01 00:00:00' GROUP BY eventName
