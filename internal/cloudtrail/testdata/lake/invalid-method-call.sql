SELECT userIdentity.arn.read_text() FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
