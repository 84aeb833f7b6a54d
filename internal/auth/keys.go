package auth

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/atomicfile"
	"github.com/vigilhq/vigil/internal/store"
)

// Sealer encrypts secrets at rest with AES-256-GCM under a master key kept
// in its own file (mode 0600) in the data directory, so that a copy of the
// database alone does not reveal secret access keys.
type Sealer struct {
	aead cipher.AEAD
}

// MasterKeyFile is the name of the master key in the data directory.
const MasterKeyFile = "master.key"

// OpenSealer loads the master key from dir, creating it on first use.
func OpenSealer(dir string) (*Sealer, error) {
	path := filepath.Join(dir, MasterKeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("cannot generate a master key: %w", err)
		}
		if err := atomicfile.Write(path, key, 0o600); err != nil {
			return nil, fmt.Errorf("cannot write the master key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("cannot read the master key: %w", err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("master key %s is damaged: %d bytes, want 32", path, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext.
func (s *Sealer) Seal(plaintext []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("BUG: auth: crypto/rand failed: " + err.Error())
	}
	return s.aead.Seal(nonce, nonce, plaintext, nil)
}

// Open decrypts what Seal produced.
func (s *Sealer) Open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed secret is too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], nil)
}

// RootCredentials are the root account's id and access key.
type RootCredentials struct {
	AccountID       string
	AccessKeyID     string
	SecretAccessKey string
	// Created is true when this start created them.
	Created bool
}

// CredentialsFile is the AWS shared-credentials file in the data directory.
const CredentialsFile = "credentials"

// Profile is the profile name of the root credentials in CredentialsFile.
const Profile = "vigil"

// EnsureRoot returns the root account's credentials, creating the account
// and an access key (created at now) on first start, and (re)writes the
// credentials file in dir when it is missing.
func EnsureRoot(ctx context.Context, keys store.Accounts, sealer *Sealer, dir string, now time.Time) (*RootCredentials, error) {
	accts, err := keys.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	var creds *RootCredentials
	if len(accts) == 0 {
		creds, err = createRoot(ctx, keys, sealer, now.UTC())
	} else {
		creds, err = loadRoot(ctx, keys, sealer, accts[0].ID)
	}
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, CredentialsFile)
	if _, err := os.Stat(path); creds.Created || errors.Is(err, os.ErrNotExist) {
		content := fmt.Sprintf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", Profile, creds.AccessKeyID, creds.SecretAccessKey)
		if err := atomicfile.Write(path, []byte(content), 0o600); err != nil {
			return nil, fmt.Errorf("cannot write %s: %w", path, err)
		}
	}
	return creds, nil
}

func createRoot(ctx context.Context, keys store.Accounts, sealer *Sealer, now time.Time) (*RootCredentials, error) {
	return CreateAccount(ctx, keys, sealer, "root", now)
}

// CreateAccount creates an account with a fresh 12-digit id and a name,
// and an access key of its root (for operators: vigil admin).
func CreateAccount(ctx context.Context, keys store.Accounts, sealer *Sealer, name string, now time.Time) (*RootCredentials, error) {
	account := randomString("123456789", 1) + randomString("0123456789", 11)
	if err := keys.CreateAccount(ctx, store.Account{ID: account, Name: name, Created: now}); err != nil {
		return nil, err
	}
	return CreateRootKey(ctx, keys, sealer, account, now)
}

// CreateRootKey gives an account's root a new access key; it fails with
// an error matching store.ErrNotFound when Vigil hosts no such account.
func CreateRootKey(ctx context.Context, keys store.Accounts, sealer *Sealer, account string, now time.Time) (*RootCredentials, error) {
	accts, err := keys.ListAccounts(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(accts, func(a store.Account) bool { return a.ID == account }) {
		return nil, fmt.Errorf("account %s: %w", account, store.ErrNotFound)
	}
	creds := &RootCredentials{
		AccountID:       account,
		AccessKeyID:     "AKIA" + randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16),
		SecretAccessKey: randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40),
		Created:         true,
	}
	err = keys.CreateAccessKey(ctx, store.AccessKey{
		ID: creds.AccessKeyID, AccountID: account,
		PrincipalARN: "arn:aws:iam::" + account + ":root", UserID: account,
		SealedSecret: sealer.Seal([]byte(creds.SecretAccessKey)), Active: true, Created: now,
	})
	if err != nil {
		return nil, err
	}
	return creds, nil
}

func loadRoot(ctx context.Context, keys store.Accounts, sealer *Sealer, account string) (*RootCredentials, error) {
	list, err := keys.AccessKeys(ctx, account)
	if err != nil {
		return nil, err
	}
	for _, k := range list {
		if !k.Active || !strings.HasSuffix(k.PrincipalARN, ":root") {
			continue
		}
		secret, err := sealer.Open(k.SealedSecret)
		if err != nil {
			return nil, fmt.Errorf("cannot unseal the root access key (is %s the master key this data directory was created with?): %w", MasterKeyFile, err)
		}
		return &RootCredentials{AccountID: account, AccessKeyID: k.ID, SecretAccessKey: string(secret)}, nil
	}
	return nil, fmt.Errorf("account %s has no active root access key", account)
}

// randomString returns n characters drawn uniformly from alphabet.
func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("BUG: auth: crypto/rand failed: " + err.Error())
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}
