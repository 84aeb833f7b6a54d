// Package store defines the storage interfaces Vigil's domains use, one
// small interface per domain, and the errors they share. Backends live in
// subpackages (duckdb, the embedded default; postgres for clusters) and
// prove themselves against the conformance suites in storetest.
//
// Durability contract: when a write method returns nil, what it stored
// survives a crash of the process (kill -9).
package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// ErrExists is returned when a record to create already exists.
var ErrExists = errors.New("already exists")

// Account is an AWS account hosted by Vigil.
type Account struct {
	// ID is the 12-digit account id.
	ID string
	// Name is a human name for the account.
	Name string
	// Created is when the account was created.
	Created time.Time
}

// AccessKey is an access key and the principal it signs for.
type AccessKey struct {
	// ID is the access key id (AKIA…).
	ID string
	// AccountID is the account the key belongs to.
	AccountID string
	// PrincipalARN is the ARN of the identity that uses the key.
	PrincipalARN string
	// UserID is the unique id of the identity (the account id for root).
	UserID string
	// SealedSecret is the secret access key, encrypted by the auth domain.
	SealedSecret []byte
	// Active is false for disabled keys.
	Active bool
	// Created is when the key was created.
	Created time.Time
}

// Accounts stores accounts and access keys.
type Accounts interface {
	// CreateAccount stores a new account, or fails with ErrExists.
	CreateAccount(ctx context.Context, a Account) error
	// ListAccounts returns all accounts ordered by id.
	ListAccounts(ctx context.Context) ([]Account, error)
	// CreateAccessKey stores a new access key, or fails with ErrExists;
	// the key's account must exist.
	CreateAccessKey(ctx context.Context, k AccessKey) error
	// AccessKey returns the access key with the id, or ErrNotFound.
	AccessKey(ctx context.Context, id string) (AccessKey, error)
	// AccessKeys returns the keys of an account ordered by id.
	AccessKeys(ctx context.Context, accountID string) ([]AccessKey, error)
}
