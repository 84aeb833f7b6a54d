package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// Tags checks the backend's store.Tags.
func Tags(t *testing.T, open Open) {
	ctx := context.Background()
	const arn = "arn:aws:logs:us-east-1:111111111111:log-group:/app"
	tagsOf := func(t *testing.T, b Backend) store.Tags {
		t.Helper()
		need(t, b.Tags != nil, "Tags")
		return b.Tags
	}
	check := func(t *testing.T, s store.Tags, arn string, want map[string]string) {
		t.Helper()
		got, err := s.ResourceTags(ctx, arn)
		if err != nil {
			t.Fatalf("ResourceTags(%s): %v", arn, err)
		}
		if got == nil || !maps.Equal(got, want) {
			t.Errorf("ResourceTags(%s) = %#v; want %#v", arn, got, want)
		}
	}

	t.Run("add, replace and remove", func(t *testing.T) {
		s := tagsOf(t, fresh(t, open))
		check(t, s, arn, map[string]string{})
		if err := s.TagResource(ctx, arn, map[string]string{"team": "a", "env": "prod", "empty": ""}, nil, 50); err != nil {
			t.Fatal(err)
		}
		check(t, s, arn, map[string]string{"team": "a", "env": "prod", "empty": ""})
		if err := s.TagResource(ctx, arn, map[string]string{"team": "b"}, []string{"env", "absent"}, 50); err != nil {
			t.Fatal(err)
		}
		check(t, s, arn, map[string]string{"team": "b", "empty": ""})
		if err := s.TagResource(ctx, arn, nil, []string{"team", "empty"}, 50); err != nil {
			t.Fatal(err)
		}
		check(t, s, arn, map[string]string{})
	})

	t.Run("resources are apart", func(t *testing.T) {
		s := tagsOf(t, fresh(t, open))
		// ARNs that are prefixes of one another, in other accounts and
		// regions.
		arns := []string{arn, arn + "-b", arn + ":*", "arn:aws:logs:us-east-1:222222222222:log-group:/app", "arn:aws:logs:eu-west-1:111111111111:log-group:/app"}
		for i, a := range arns {
			if err := s.TagResource(ctx, a, map[string]string{"k": fmt.Sprint(i)}, nil, 50); err != nil {
				t.Fatal(err)
			}
		}
		for i, a := range arns {
			check(t, s, a, map[string]string{"k": fmt.Sprint(i)})
		}
		if err := s.TagResource(ctx, arn, nil, []string{"k"}, 50); err != nil {
			t.Fatal(err)
		}
		check(t, s, arn, map[string]string{})
		check(t, s, arns[1], map[string]string{"k": "1"})
	})

	t.Run("limit", func(t *testing.T) {
		s := tagsOf(t, fresh(t, open))
		three := map[string]string{"a": "1", "b": "2", "c": "3"}
		if err := s.TagResource(ctx, arn, three, nil, 3); err != nil {
			t.Fatalf("TagResource(3 tags, limit 3) = %v; want nil", err)
		}
		// A failing call changes nothing, not even its removals.
		err := s.TagResource(ctx, arn, map[string]string{"d": "4", "e": "5"}, []string{"a"}, 3)
		if !errors.Is(err, store.ErrLimit) {
			t.Fatalf("TagResource(4 tags, limit 3) = %v; want ErrLimit", err)
		}
		check(t, s, arn, three)
		// The limit counts the tags the resource ends with: replacing a
		// value, or removing as many as are added, stays within it.
		if err := s.TagResource(ctx, arn, map[string]string{"a": "x", "d": "4"}, []string{"b"}, 3); err != nil {
			t.Fatalf("TagResource(replace one, swap one, limit 3) = %v; want nil", err)
		}
		check(t, s, arn, map[string]string{"a": "x", "c": "3", "d": "4"})
		many := map[string]string{}
		for i := range 60 {
			many[fmt.Sprint("k", i)] = "v"
		}
		if err := s.TagResource(ctx, arn, many, nil, 0); err != nil {
			t.Fatalf("TagResource(63 tags, limit 0) = %v; want nil (no limit)", err)
		}
	})

	t.Run("durable across reopening", func(t *testing.T) {
		b := reopen(t, open, func(t *testing.T, b Backend) {
			s := tagsOf(t, b)
			if err := s.TagResource(ctx, arn, map[string]string{"team": "a", "env": "prod"}, nil, 50); err != nil {
				t.Fatal(err)
			}
			if err := s.TagResource(ctx, arn, nil, []string{"env"}, 50); err != nil {
				t.Fatal(err)
			}
		})
		check(t, tagsOf(t, b), arn, map[string]string{"team": "a"})
	})
}
