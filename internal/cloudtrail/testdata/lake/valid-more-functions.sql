SELECT ltrim(rtrim(eventName)), replace(eventName, 'Create', 'New'), substr(eventName, 1, 3), substring(eventName, 2, 2),
  nullif(eventName, 'x'), regexp_extract(eventName, '[A-Z][a-z]+'), regexp_replace(eventName, 'Log', 'L'),
  json_extract(requestParameters, '$'), upper(eventSource), TRY_CAST(eventID AS varchar), CAST(eventTime AS date)
FROM "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"
