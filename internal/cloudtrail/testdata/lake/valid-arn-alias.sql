SELECT t.userIdentity.arn AS who, count(*) AS calls
FROM arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE AS t
WHERE t.errorCode IS NOT NULL -- failed calls
GROUP BY t.userIdentity.arn ORDER BY calls DESC LIMIT 10;
