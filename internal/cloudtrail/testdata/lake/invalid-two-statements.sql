SELECT * FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE; DROP TABLE cloudtrail_lake_events
