package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// IAM returns the store of IAM's identities.
func (s *Store) IAM() store.IAM { return iamStore{s} }

type iamStore struct{ s *Store }

// iamQuerier runs the queries of an IAM transaction: the writer's Tx, or
// a read transaction of the readers (iamView).
type iamQuerier interface {
	Query(query string, args ...any) (*sql.Rows, error)
	QueryRow(query string, args ...any) *sql.Row
}

// iamView is a read transaction on the readers, running the readers'
// prepared statements.
type iamView struct {
	s   *Store
	ctx context.Context
	tx  *sql.Tx
}

func (v iamView) stmt(query string) (*sql.Stmt, error) {
	st, err := v.s.stmts.get(v.ctx, v.s.db, query)
	if err != nil {
		return nil, err
	}
	return v.tx.StmtContext(v.ctx, st), nil
}

func (v iamView) Query(query string, args ...any) (*sql.Rows, error) {
	st, err := v.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(v.ctx, args...)
}

func (v iamView) QueryRow(query string, args ...any) *sql.Row {
	st, err := v.stmt(query)
	if err != nil {
		// A Row carrying the error, as the transaction's own gives.
		return v.tx.QueryRowContext(v.ctx, query, args...)
	}
	return st.QueryRowContext(v.ctx, args...)
}

// iamTx is an account's IAM data within a transaction: a reader over q,
// and a writer when w is set.
type iamTx struct {
	account string
	q       iamQuerier
	w       *Tx
}

func (st iamStore) ViewIAM(ctx context.Context, account string, fn func(store.IAMReader) error) error {
	tx, err := st.s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("cannot read the IAM data of %s: %w", account, err)
	}
	defer tx.Rollback()
	return fn(iamTx{account: account, q: iamView{s: st.s, ctx: ctx, tx: tx}})
}

func (st iamStore) UpdateIAM(ctx context.Context, account string, fn func(store.IAMWriter) error) error {
	return st.s.write(ctx, func(tx *Tx) error { return fn(iamTx{account: account, q: tx, w: tx}) })
}

func (st iamStore) RecordKeyUses(ctx context.Context, uses []store.IAMKeyUse) error {
	err := st.s.write(ctx, func(tx *Tx) error {
		for _, u := range uses {
			_, err := tx.Exec(`INSERT INTO iam_key_usage (id, account, used, region, service)
				SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM access_keys WHERE id = ?1 AND account_id = ?2)
					OR EXISTS (SELECT 1 FROM iam_unhosted_keys WHERE id = ?1 AND account = ?2)
				ON CONFLICT (id) DO UPDATE SET used = excluded.used, region = excluded.region, service = excluded.service
					WHERE excluded.used > iam_key_usage.used`,
				u.Key, u.Account, u.Time.UnixNano(), u.Region, u.Service)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot record the use of %d access keys: %w", len(uses), err)
	}
	return nil
}

// nanos reads a stored time.
func nanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// listIAM runs a query of the transaction and scans each row.
func listIAM[T any](t iamTx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.q.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// oneIAM reads one row of the transaction: ErrNotFound when there is
// none.
func oneIAM[T any](t iamTx, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(t.q.QueryRow(query, args...))
	if isNoRows(err) {
		return v, store.ErrNotFound
	}
	return v, err
}

// exec runs a write statement; one or ErrNotFound, when mustChange.
func (t iamTx) exec(mustChange bool, query string, args ...any) error {
	if t.w == nil {
		panic("BUG: sqlite: an IAM write in a read transaction")
	}
	if mustChange {
		return txOne(t.w, query, args...)
	}
	_, err := t.w.Exec(query, args...)
	return err
}

// insert runs an insert: ErrExists when it breaks a uniqueness rule.
func (t iamTx) insert(query string, args ...any) error {
	err := t.exec(false, query, args...)
	if isUnique(err) {
		return store.ErrExists
	}
	return err
}

func (t iamTx) Account() (store.IAMAccount, error) {
	var a store.IAMAccount
	var created int64
	err := t.q.QueryRow(`SELECT created FROM accounts WHERE id = ?`, t.account).Scan(&created)
	switch {
	case err == nil:
		a.Created = nanos(created)
	case !isNoRows(err):
		return a, err
	}
	if err := t.q.QueryRow(`SELECT alias FROM iam_aliases WHERE account = ?`, t.account).Scan(&a.Alias); err != nil && !isNoRows(err) {
		return a, err
	}
	var p store.IAMPasswordPolicy
	err = t.q.QueryRow(`SELECT min_length, require_symbols, require_numbers, require_uppercase, require_lowercase,
		allow_change, hard_expiry, max_age_days, reuse_prevention FROM iam_password_policies WHERE account = ?`, t.account).Scan(
		&p.MinimumLength, &p.RequireSymbols, &p.RequireNumbers, &p.RequireUppercase, &p.RequireLowercase,
		&p.AllowUsersToChange, &p.HardExpiry, &p.MaxAgeDays, &p.ReusePrevention)
	switch {
	case err == nil:
		a.PasswordPolicy = &p
	case !isNoRows(err):
		return a, err
	}
	return a, nil
}

const iamEntityColumns = `kind, id, name, path, arn, created, updated, description, document, boundary,
	max_session, default_version, next_version, secret`

func scanIAMEntity(row scanner) (store.IAMEntity, error) {
	var e store.IAMEntity
	var created, updated int64
	err := row.Scan(&e.Kind, &e.ID, &e.Name, &e.Path, &e.ARN, &created, &updated, &e.Description, &e.Document, &e.Boundary,
		&e.MaxSessionDuration, &e.DefaultVersion, &e.NextVersion, &e.Secret)
	e.Created, e.Updated = nanos(created), nanos(updated)
	if updated == 0 {
		e.Updated = time.Time{}
	}
	return e, err
}

func (t iamTx) Entity(kind store.IAMKind, name string) (store.IAMEntity, error) {
	return oneIAM(t, scanIAMEntity, `SELECT `+iamEntityColumns+` FROM iam_entities WHERE account = ? AND kind = ? AND name_key = ?`,
		t.account, kind, strings.ToLower(name))
}

func (t iamTx) EntityByID(id string) (store.IAMEntity, error) {
	return oneIAM(t, scanIAMEntity, `SELECT `+iamEntityColumns+` FROM iam_entities WHERE account = ? AND id = ?`, t.account, id)
}

func (t iamTx) Entities(kind store.IAMKind, pathPrefix string) ([]store.IAMEntity, error) {
	return listIAM(t, scanIAMEntity, `SELECT `+iamEntityColumns+` FROM iam_entities
		WHERE account = ? AND kind = ? AND substr(path, 1, length(?3)) = ?3 ORDER BY name_key`, t.account, kind, pathPrefix)
}

func (t iamTx) PutEntity(e store.IAMEntity) error {
	var updated int64
	if !e.Updated.IsZero() {
		updated = e.Updated.UnixNano()
	}
	err := t.insert(`INSERT INTO iam_entities (account, `+iamEntityColumns+`, name_key)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account, id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, path = excluded.path,
			arn = excluded.arn, updated = excluded.updated, description = excluded.description, document = excluded.document,
			boundary = excluded.boundary, max_session = excluded.max_session, default_version = excluded.default_version,
			next_version = excluded.next_version, secret = excluded.secret`,
		t.account, e.Kind, e.ID, e.Name, e.Path, e.ARN, e.Created.UnixNano(), updated, e.Description, e.Document, e.Boundary,
		e.MaxSessionDuration, e.DefaultVersion, e.NextVersion, e.Secret, strings.ToLower(e.Name))
	if err != nil || e.Kind != store.IAMUser {
		return err
	}
	for _, table := range []string{`access_keys SET principal_arn = ? WHERE account_id = ?`, `iam_unhosted_keys SET principal_arn = ? WHERE account = ?`} {
		if err := t.exec(false, `UPDATE `+table+` AND user_id = ?`, e.ARN, t.account, e.ID); err != nil {
			return err
		}
	}
	return nil
}

func (t iamTx) DeleteEntity(id string) error {
	if err := t.exec(true, `DELETE FROM iam_entities WHERE account = ? AND id = ?`, t.account, id); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM iam_tags WHERE account = ? AND id = ?`,
		`DELETE FROM iam_inline_policies WHERE account = ? AND owner = ?`,
		`DELETE FROM iam_policy_versions WHERE account = ? AND policy = ?`,
		`DELETE FROM iam_login_profiles WHERE account = ? AND user_id = ?`,
		`DELETE FROM iam_links WHERE account = ? AND src = ?`,
		`DELETE FROM iam_links WHERE account = ? AND dst = ?`,
	} {
		if err := t.exec(false, q, t.account, id); err != nil {
			return err
		}
	}
	return nil
}

func scanIAMLink(row scanner) (store.IAMLink, error) {
	var l store.IAMLink
	var created int64
	err := row.Scan(&l.Kind, &l.From, &l.To, &created)
	l.Created = nanos(created)
	return l, err
}

func (t iamTx) Links(kind store.IAMLinkKind, from string) ([]store.IAMLink, error) {
	if from == "" {
		return listIAM(t, scanIAMLink, `SELECT kind, src, dst, created FROM iam_links WHERE account = ? AND kind = ? ORDER BY src, dst`,
			t.account, kind)
	}
	return listIAM(t, scanIAMLink, `SELECT kind, src, dst, created FROM iam_links WHERE account = ? AND kind = ? AND src = ? ORDER BY dst`,
		t.account, kind, from)
}

func (t iamTx) LinksTo(kind store.IAMLinkKind, to string) ([]store.IAMLink, error) {
	return listIAM(t, scanIAMLink, `SELECT kind, src, dst, created FROM iam_links WHERE account = ? AND kind = ? AND dst = ? ORDER BY src`,
		t.account, kind, to)
}

func (t iamTx) Link(l store.IAMLink) error {
	return t.insert(`INSERT INTO iam_links VALUES (?, ?, ?, ?, ?)`, t.account, l.Kind, l.From, l.To, l.Created.UnixNano())
}

func (t iamTx) Unlink(kind store.IAMLinkKind, from, to string) error {
	return t.exec(true, `DELETE FROM iam_links WHERE account = ? AND kind = ? AND src = ? AND dst = ?`, t.account, kind, from, to)
}

func scanIAMInline(row scanner) (store.IAMInlinePolicy, error) {
	var p store.IAMInlinePolicy
	return p, row.Scan(&p.Owner, &p.Name, &p.Document)
}

func (t iamTx) InlinePolicy(owner, name string) (store.IAMInlinePolicy, error) {
	return oneIAM(t, scanIAMInline, `SELECT owner, name, document FROM iam_inline_policies WHERE account = ? AND owner = ? AND name = ?`,
		t.account, owner, name)
}

func (t iamTx) InlinePolicies(owner string) ([]store.IAMInlinePolicy, error) {
	if owner == "" {
		return listIAM(t, scanIAMInline, `SELECT owner, name, document FROM iam_inline_policies WHERE account = ? ORDER BY owner, name`, t.account)
	}
	return listIAM(t, scanIAMInline, `SELECT owner, name, document FROM iam_inline_policies WHERE account = ? AND owner = ? ORDER BY name`,
		t.account, owner)
}

func (t iamTx) PutInlinePolicy(p store.IAMInlinePolicy) error {
	return t.exec(false, `INSERT OR REPLACE INTO iam_inline_policies VALUES (?, ?, ?, ?)`, t.account, p.Owner, p.Name, p.Document)
}

func (t iamTx) DeleteInlinePolicy(owner, name string) error {
	return t.exec(true, `DELETE FROM iam_inline_policies WHERE account = ? AND owner = ? AND name = ?`, t.account, owner, name)
}

func (t iamTx) PolicyVersions(policy string) ([]store.IAMPolicyVersion, error) {
	return listIAM(t, func(row scanner) (store.IAMPolicyVersion, error) {
		var v store.IAMPolicyVersion
		var created int64
		err := row.Scan(&v.Policy, &v.ID, &v.Document, &created)
		v.Created = nanos(created)
		return v, err
	}, `SELECT policy, id, document, created FROM iam_policy_versions WHERE account = ? AND policy = ?
		ORDER BY created, length(id), id`, t.account, policy)
}

func (t iamTx) PutPolicyVersion(v store.IAMPolicyVersion) error {
	return t.insert(`INSERT INTO iam_policy_versions VALUES (?, ?, ?, ?, ?)`, t.account, v.Policy, v.ID, v.Document, v.Created.UnixNano())
}

func (t iamTx) DeletePolicyVersion(policy, id string) error {
	return t.exec(true, `DELETE FROM iam_policy_versions WHERE account = ? AND policy = ? AND id = ?`, t.account, policy, id)
}

func (t iamTx) Tags(id string) (map[string]string, error) {
	kvs, err := listIAM(t, func(row scanner) (kv [2]string, err error) {
		return kv, row.Scan(&kv[0], &kv[1])
	}, `SELECT key, value FROM iam_tags WHERE account = ? AND id = ?`, t.account, id)
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		out[kv[0]] = kv[1]
	}
	return out, err
}

func (t iamTx) TagEntity(id string, add map[string]string, remove []string) error {
	for _, k := range remove {
		if err := t.exec(false, `DELETE FROM iam_tags WHERE account = ? AND id = ? AND key = ?`, t.account, id, k); err != nil {
			return err
		}
	}
	for k, v := range add {
		if err := t.exec(false, `INSERT OR REPLACE INTO iam_tags VALUES (?, ?, ?, ?)`, t.account, id, k, v); err != nil {
			return err
		}
	}
	return nil
}

func (t iamTx) SetAlias(alias string) error {
	if err := t.exec(false, `DELETE FROM iam_aliases WHERE account = ?`, t.account); err != nil || alias == "" {
		return err
	}
	return t.insert(`INSERT INTO iam_aliases VALUES (?, ?)`, t.account, alias)
}

func (t iamTx) SetPasswordPolicy(p *store.IAMPasswordPolicy) error {
	if p == nil {
		return t.exec(false, `DELETE FROM iam_password_policies WHERE account = ?`, t.account)
	}
	return t.exec(false, `INSERT OR REPLACE INTO iam_password_policies VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.account,
		p.MinimumLength, p.RequireSymbols, p.RequireNumbers, p.RequireUppercase, p.RequireLowercase,
		p.AllowUsersToChange, p.HardExpiry, p.MaxAgeDays, p.ReusePrevention)
}

func (t iamTx) Report() (store.IAMReport, error) {
	return oneIAM(t, func(row scanner) (store.IAMReport, error) {
		var r store.IAMReport
		var generated int64
		err := row.Scan(&generated, &r.Content)
		r.Generated = nanos(generated)
		return r, err
	}, `SELECT generated, content FROM iam_credential_reports WHERE account = ?`, t.account)
}

func (t iamTx) PutReport(r store.IAMReport) error {
	return t.exec(false, `INSERT OR REPLACE INTO iam_credential_reports VALUES (?, ?, ?)`, t.account, r.Generated.UnixNano(), r.Content)
}
