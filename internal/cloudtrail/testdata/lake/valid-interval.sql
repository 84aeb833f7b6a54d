SELECT * FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE WHERE eventTime > current_timestamp - INTERVAL '1' DAY
