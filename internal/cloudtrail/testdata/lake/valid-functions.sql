SELECT date_trunc('hour', eventTime) AS h, approx_distinct(sourceIPAddress), CAST(readOnly AS varchar)
FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE WHERE lower(eventSource) LIKE '%logs%' AND eventTime BETWEEN TIMESTAMP '2026-01-01 00:00:00' AND now()
GROUP BY 1, 3 HAVING count(*) > 1 ORDER BY h
