SELECT CASE WHEN readOnly THEN 'read' ELSE 'write' END AS kind, count(DISTINCT eventName) FROM "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE" WHERE eventName IN ('A', 'B''s') GROUP BY 1
