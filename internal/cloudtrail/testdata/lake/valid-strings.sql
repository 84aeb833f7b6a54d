SELECT concat(eventSource, '/', eventName), split_part(userIdentity.arn, ':', 5), strpos(eventName, 'Log'),
  json_extract_scalar(requestParameters, '$.logGroupName'), date_diff('second', eventTime, now()),
  count(*) OVER (PARTITION BY eventName), abs(-1.5), coalesce(errorCode, 'ok')
FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
WHERE regexp_like(eventName, '^Create') AND starts_with(awsRegion, 'us-') AND NOT readOnly
ORDER BY 1 DESC NULLS LAST LIMIT 5 OFFSET 0
