SELECT * FROM cloudtrail_lake_events, EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
