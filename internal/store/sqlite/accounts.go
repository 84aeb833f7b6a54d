package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Accounts returns the store of accounts and access keys.
func (s *Store) Accounts() store.Accounts { return accounts{s} }

type accounts struct{ s *Store }

func (a accounts) CreateAccount(ctx context.Context, acct store.Account) error {
	err := a.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO accounts VALUES (?, ?, ?)`, acct.ID, acct.Name, acct.Created.UnixNano())
		return err
	})
	if isUnique(err) {
		return fmt.Errorf("account %s: %w", acct.ID, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("cannot create account %s: %w", acct.ID, err)
	}
	return nil
}

func scanAccount(row scanner) (store.Account, error) {
	var acct store.Account
	var created int64
	err := row.Scan(&acct.ID, &acct.Name, &created)
	acct.Created = time.Unix(0, created).UTC()
	return acct, err
}

func (a accounts) ListAccounts(ctx context.Context) ([]store.Account, error) {
	return list(ctx, a.s, "accounts", scanAccount, `SELECT id, name, created FROM accounts ORDER BY id`)
}

func (a accounts) CreateAccessKey(ctx context.Context, k store.AccessKey) error {
	err := a.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM accounts WHERE id = ?`, k.AccountID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("account %s: %w", k.AccountID, store.ErrNotFound)
		}
		_, err := tx.Exec(`INSERT INTO access_keys VALUES (?, ?, ?, ?, ?, ?, ?)`,
			k.ID, k.AccountID, k.PrincipalARN, k.UserID, k.SealedSecret, k.Active, k.Created.UnixNano())
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return err
	case isUnique(err):
		return fmt.Errorf("access key %s: %w", k.ID, store.ErrExists)
	case err != nil:
		return fmt.Errorf("cannot create access key %s: %w", k.ID, err)
	}
	return nil
}

const accessKeyColumns = `id, account_id, principal_arn, user_id, sealed_secret, active, created`

func scanAccessKey(row scanner) (store.AccessKey, error) {
	var k store.AccessKey
	var created int64
	err := row.Scan(&k.ID, &k.AccountID, &k.PrincipalARN, &k.UserID, &k.SealedSecret, &k.Active, &created)
	k.Created = time.Unix(0, created).UTC()
	return k, err
}

func (a accounts) AccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	return one(ctx, a.s, "access key "+id, scanAccessKey, `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = ?`, id)
}

func (a accounts) AccessKeys(ctx context.Context, accountID string) ([]store.AccessKey, error) {
	return list(ctx, a.s, "access keys of "+accountID, scanAccessKey,
		`SELECT `+accessKeyColumns+` FROM access_keys WHERE account_id = ? ORDER BY id`, accountID)
}
