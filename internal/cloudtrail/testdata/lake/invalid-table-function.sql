SELECT read_csv('/etc/passwd') FROM EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE
