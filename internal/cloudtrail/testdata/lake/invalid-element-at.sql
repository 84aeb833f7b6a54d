SELECT element_at(requestParameters, 'bucketName') FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
