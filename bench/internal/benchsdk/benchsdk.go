// Package benchsdk gives the benchmark commands their common command line:
// -endpoint and -account, then a subcommand with its own flags.
package benchsdk

import (
	"context"
	"flag"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Parse parses the command line (usage lists the subcommands) and returns
// an aws-sdk-go-v2 config for the endpoint, the subcommand and its flag
// set, which the caller fills and parses with Args.
func Parse(usage string) (cfg aws.Config, cmd string, fs *flag.FlagSet) {
	endpoint := flag.String("endpoint", "http://127.0.0.1:4580", "service endpoint")
	account := flag.String("account", "123456789012", "access key id (Vigil --dev uses it as the account)")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: " + usage)
	}
	cfg = aws.Config{
		Region: "us-east-1", BaseEndpoint: endpoint, RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: *account, SecretAccessKey: "bench"}, nil
		}),
	}
	return cfg, flag.Arg(0), flag.NewFlagSet(flag.Arg(0), flag.ExitOnError)
}

// Args are the subcommand's arguments.
func Args() []string { return flag.Args()[1:] }
