SELECT * FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE WHERE eventID IN (SELECT event_id FROM cloudtrail_lake_events)
