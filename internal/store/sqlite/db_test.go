package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

func open(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestFailingWriteIsUndoneAlone: writes share a transaction, but one that
// fails (or panics) leaves no trace and does not undo the others.
func TestFailingWriteIsUndoneAlone(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := context.Background()
	boom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, 30)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.write(ctx, func(tx *Tx) error {
				if _, err := tx.Exec(`INSERT INTO resource_tags VALUES (?, 'k', 'v')`, fmt.Sprint("arn", i)); err != nil {
					return err
				}
				switch i % 3 {
				case 1:
					return boom
				case 2:
					panic("bug")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (i%3 == 0) != (err == nil) {
			t.Errorf("write %d = %v", i, err)
		}
		tags, _ := s.Tags().ResourceTags(ctx, fmt.Sprint("arn", i))
		if (i%3 == 0) != (len(tags) == 1) {
			t.Errorf("write %d left tags %v", i, tags)
		}
	}
}

func TestCreateStreamOfMissingGroup(t *testing.T) {
	s := open(t, t.TempDir())
	err := s.Logs().CreateLogStream(context.Background(), &store.LogStream{GroupID: 42, Name: "s"})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CreateLogStream in a missing group = %v; want ErrNotFound", err)
	}
}

// BenchmarkSmallWrites measures what a small durable state change costs
// when many clients make them at once (group commit).
func BenchmarkSmallWrites(b *testing.B) {
	s := open(b, b.TempDir())
	ctx := context.Background()
	g := &store.LogGroup{Account: "123456789012", Region: "us-east-1", Name: "g", Class: "STANDARD"}
	if err := s.Logs().CreateLogGroup(ctx, g, "arn", nil); err != nil {
		b.Fatal(err)
	}
	var n sync.Mutex
	i := 0
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n.Lock()
			i++
			name := fmt.Sprint("s", i)
			n.Unlock()
			if err := s.Logs().CreateLogStream(ctx, &store.LogStream{GroupID: g.ID, Name: name}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLookups measures the reads PutLogEvents makes before storing
// (when its caches miss).
func BenchmarkLookups(b *testing.B) {
	s := open(b, b.TempDir())
	ctx := context.Background()
	g := &store.LogGroup{Account: "a", Region: "r", Name: "g", Class: "STANDARD"}
	if err := s.Logs().CreateLogGroup(ctx, g, "arn", nil); err != nil {
		b.Fatal(err)
	}
	if err := s.Logs().CreateLogStream(ctx, &store.LogStream{GroupID: g.ID, Name: "s"}); err != nil {
		b.Fatal(err)
	}
	b.Run("group", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Logs().LogGroup(ctx, "a", "r", "g"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stream", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Logs().LogStream(ctx, g.ID, "s"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestStatementsPastTheCache: once the writer holds maxStatements
// prepared statements, other queries still run (prepared and closed each
// time by the connection), and the cache does not grow.
func TestStatementsPastTheCache(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := context.Background()
	for i := range maxStatements + 20 {
		err := s.write(ctx, func(tx *Tx) error {
			var got int
			if err := tx.QueryRow(fmt.Sprintf("SELECT %d + ?", i), 1).Scan(&got); err != nil {
				return err
			}
			if _, err := tx.Exec(fmt.Sprintf("SELECT %d", i)); err != nil {
				return err
			}
			if got != i+1 {
				return fmt.Errorf("query %d answered %d", i, got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.w.stmts); n != maxStatements {
		t.Errorf("%d statements cached; want the cap, %d", n, maxStatements)
	}
}
