SELECT eventName, count_if(readOnly), sum(1), avg(length(eventName)), min(eventTime), max(eventTime),
  approx_distinct(userIdentity.accessKeyId), year(eventTime), month(eventTime), day(eventTime), hour(eventTime), minute(eventTime)
FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
WHERE eventTime > now() - INTERVAL '1' DAY AND lower(trim(eventName)) <> '' AND round(1.4) = floor(1.4) AND ceil(0.5) = 1
GROUP BY eventName, 8, 9, 10, 11, 12
