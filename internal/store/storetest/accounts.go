package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Accounts checks the backend's store.Accounts.
func Accounts(t *testing.T, open Open) {
	ctx := context.Background()
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	accounts := func(t *testing.T, b Backend) store.Accounts {
		t.Helper()
		need(t, b.Accounts != nil, "Accounts")
		return b.Accounts
	}

	t.Run("account lifecycle", func(t *testing.T) {
		s := accounts(t, fresh(t, open))
		if got, err := s.ListAccounts(ctx); err != nil || len(got) != 0 {
			t.Fatalf("ListAccounts on an empty store = %v, %v; want none", got, err)
		}
		for _, id := range []string{"222222222222", "111111111111"} {
			if err := s.CreateAccount(ctx, store.Account{ID: id, Name: "n" + id, Created: created}); err != nil {
				t.Fatalf("CreateAccount(%s): %v", id, err)
			}
		}
		err := s.CreateAccount(ctx, store.Account{ID: "111111111111", Name: "dup", Created: created})
		if !errors.Is(err, store.ErrExists) {
			t.Errorf("CreateAccount(duplicate) = %v; want ErrExists", err)
		}
		got, err := s.ListAccounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "111111111111" || got[1].ID != "222222222222" {
			t.Fatalf("ListAccounts = %+v; want the two accounts ordered by id", got)
		}
		if got[0].Name != "n111111111111" || !got[0].Created.Equal(created) {
			t.Errorf("ListAccounts()[0] = %+v; want name and creation time kept", got[0])
		}
	})

	t.Run("access keys", func(t *testing.T) {
		s := accounts(t, fresh(t, open))
		if err := s.CreateAccount(ctx, store.Account{ID: "123456789012", Name: "root", Created: created}); err != nil {
			t.Fatal(err)
		}
		k := store.AccessKey{ID: "AKIAEXAMPLE000000001", AccountID: "123456789012", PrincipalARN: "arn:aws:iam::123456789012:root",
			UserID: "123456789012", SealedSecret: []byte{1, 2, 3, 0, 255}, Active: true, Created: created}
		if err := s.CreateAccessKey(ctx, k); err != nil {
			t.Fatalf("CreateAccessKey: %v", err)
		}
		if err := s.CreateAccessKey(ctx, k); !errors.Is(err, store.ErrExists) {
			t.Errorf("CreateAccessKey(duplicate) = %v; want ErrExists", err)
		}
		orphan := k
		orphan.ID, orphan.AccountID = "AKIAEXAMPLE000000002", "999999999999"
		if err := s.CreateAccessKey(ctx, orphan); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CreateAccessKey(unknown account) = %v; want ErrNotFound", err)
		}
		got, err := s.AccessKey(ctx, k.ID)
		if err != nil {
			t.Fatalf("AccessKey: %v", err)
		}
		if got.ID != k.ID || got.AccountID != k.AccountID || got.PrincipalARN != k.PrincipalARN || got.UserID != k.UserID ||
			!bytes.Equal(got.SealedSecret, k.SealedSecret) || got.Active != k.Active || !got.Created.Equal(k.Created) {
			t.Errorf("AccessKey = %+v; want %+v", got, k)
		}
		if _, err := s.AccessKey(ctx, "AKIANOSUCHKEY0000000"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("AccessKey(unknown) = %v; want ErrNotFound", err)
		}
		list, err := s.AccessKeys(ctx, "123456789012")
		if err != nil || len(list) != 1 || list[0].ID != k.ID {
			t.Errorf("AccessKeys = %+v, %v; want the one key", list, err)
		}
	})

	t.Run("concurrent writes", func(t *testing.T) {
		s := accounts(t, fresh(t, open))
		const n = 64
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.CreateAccount(ctx, store.Account{ID: fmt.Sprintf("%012d", i), Name: "c", Created: created})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent CreateAccount: %v", err)
			}
		}
		got, err := s.ListAccounts(ctx)
		if err != nil || len(got) != n {
			t.Fatalf("ListAccounts after %d concurrent creates = %d accounts, %v", n, len(got), err)
		}
	})

	t.Run("durable across reopening", func(t *testing.T) {
		k := store.AccessKey{ID: "AKIAEXAMPLE000000003", AccountID: "123456789012", PrincipalARN: "arn:aws:iam::123456789012:root",
			UserID: "123456789012", SealedSecret: []byte{9, 8, 7}, Active: true, Created: created}
		b := reopen(t, open, func(t *testing.T, b Backend) {
			s := accounts(t, b)
			if err := s.CreateAccount(ctx, store.Account{ID: "123456789012", Name: "root", Created: created}); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateAccessKey(ctx, k); err != nil {
				t.Fatal(err)
			}
		})
		s := accounts(t, b)
		if got, err := s.ListAccounts(ctx); err != nil || len(got) != 1 || got[0].Name != "root" {
			t.Errorf("ListAccounts after reopening = %+v, %v; want the account", got, err)
		}
		got, err := s.AccessKey(ctx, k.ID)
		if err != nil || !bytes.Equal(got.SealedSecret, k.SealedSecret) || !got.Created.Equal(created) {
			t.Errorf("AccessKey after reopening = %+v, %v; want %+v", got, err, k)
		}
		if err := s.CreateAccount(ctx, store.Account{ID: "123456789012", Name: "again", Created: created}); !errors.Is(err, store.ErrExists) {
			t.Errorf("CreateAccount(existing) after reopening = %v; want ErrExists", err)
		}
	})
}
