package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// Accounts returns the store of accounts and access keys.
func (s *Store) Accounts() store.Accounts { return accounts{s} }

type accounts struct{ s *Store }

// isConstraint reports whether err is a primary-key or foreign-key violation.
func isConstraint(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Constraint Error")
}

func (a accounts) CreateAccount(ctx context.Context, acct store.Account) error {
	err := a.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO accounts VALUES (?, ?, ?)`, acct.ID, acct.Name, acct.Created.UTC())
		return err
	})
	if isConstraint(err) {
		return fmt.Errorf("account %s: %w", acct.ID, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("cannot create account %s: %w", acct.ID, err)
	}
	return nil
}

func (a accounts) ListAccounts(ctx context.Context) ([]store.Account, error) {
	rows, err := a.s.db.QueryContext(ctx, `SELECT id, name, created FROM accounts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("cannot list accounts: %w", err)
	}
	defer rows.Close()
	var out []store.Account
	for rows.Next() {
		var acct store.Account
		if err := rows.Scan(&acct.ID, &acct.Name, &acct.Created); err != nil {
			return nil, fmt.Errorf("cannot list accounts: %w", err)
		}
		out = append(out, acct)
	}
	return out, rows.Err()
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
			k.ID, k.AccountID, k.PrincipalARN, k.UserID, k.SealedSecret, k.Active, k.Created.UTC())
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return err
	case isConstraint(err):
		return fmt.Errorf("access key %s: %w", k.ID, store.ErrExists)
	case err != nil:
		return fmt.Errorf("cannot create access key %s: %w", k.ID, err)
	}
	return nil
}

const accessKeyColumns = `id, account_id, principal_arn, user_id, sealed_secret, active, created`

func scanAccessKey(row interface{ Scan(...any) error }) (store.AccessKey, error) {
	var k store.AccessKey
	err := row.Scan(&k.ID, &k.AccountID, &k.PrincipalARN, &k.UserID, &k.SealedSecret, &k.Active, &k.Created)
	return k, err
}

func (a accounts) AccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	k, err := scanAccessKey(a.s.db.QueryRowContext(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return k, fmt.Errorf("access key %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return k, fmt.Errorf("cannot read access key %s: %w", id, err)
	}
	return k, nil
}

func (a accounts) AccessKeys(ctx context.Context, accountID string) ([]store.AccessKey, error) {
	rows, err := a.s.db.QueryContext(ctx, `SELECT `+accessKeyColumns+` FROM access_keys WHERE account_id = ? ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("cannot list access keys of %s: %w", accountID, err)
	}
	defer rows.Close()
	var out []store.AccessKey
	for rows.Next() {
		k, err := scanAccessKey(rows)
		if err != nil {
			return nil, fmt.Errorf("cannot list access keys of %s: %w", accountID, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}
