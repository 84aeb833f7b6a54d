package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/store/sqlite"
)

const adminUsage = `Usage: vigil admin COMMAND [flags]

Manages the accounts of a data directory from the command line, for
operators; it may run while Vigil serves the directory (a server learns
of a new key within a minute).

Commands:
  list-accounts                     the accounts Vigil hosts: id and name
  create-account -name NAME         a new account (a fresh 12-digit id) and
                                    an access key of its root
  create-access-key -account ID     a new access key of an account's root

Flags:
`

// admin runs a vigil admin command.
func admin(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("vigil admin", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, adminUsage)
		fs.PrintDefaults()
	}
	dir := os.Getenv("VIGIL_DATA_DIR")
	if dir == "" {
		dir = "./vigil-data"
	}
	dataDir := fs.String("data-dir", dir, "data directory (VIGIL_DATA_DIR)")
	name := fs.String("name", "", "create-account: the account's name")
	account := fs.String("account", "", "create-access-key: the account's id")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") || args[0] == "help" {
		fs.Usage()
		return flag.ErrHelp
	}
	cmd := args[0]
	switch cmd {
	case "list-accounts", "create-account", "create-access-key":
	default:
		fs.Usage()
		return fmt.Errorf("unknown admin command %q", cmd)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, *dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	keys := st.Accounts()
	sealer, err := auth.OpenSealer(*dataDir)
	if err != nil {
		return err
	}
	var creds *auth.RootCredentials
	switch cmd {
	case "list-accounts":
		accts, err := keys.ListAccounts(ctx)
		if err != nil {
			return err
		}
		for _, a := range accts {
			fmt.Fprintf(out, "%s\t%s\n", a.ID, a.Name)
		}
		return nil
	case "create-account":
		if *name == "" {
			return fmt.Errorf("create-account needs -name")
		}
		creds, err = auth.CreateAccount(ctx, keys, sealer, *name, time.Now())
	default: // create-access-key
		if *account == "" {
			return fmt.Errorf("create-access-key needs -account")
		}
		creds, err = auth.CreateRootKey(ctx, keys, sealer, *account, time.Now())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n# account %s\n", creds.AccessKeyID, creds.SecretAccessKey, creds.AccountID)
	return nil
}
