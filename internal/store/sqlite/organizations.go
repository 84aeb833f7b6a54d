package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Organizations returns the store of AWS Organizations.
func (s *Store) Organizations() store.Organizations { return orgStore{s} }

type orgStore struct{ s *Store }

// orgTx is an organization within a transaction: a reader over q, and a
// writer when w is set. It runs its statements through IAM's
// transaction helpers (iamTx, listIAM, oneIAM), which serve any
// transaction of the same shape.
type orgTx struct {
	org string
	q   iamQuerier
	w   *Tx
}

func (t orgTx) tx() iamTx { return iamTx{q: t.q, w: t.w} }

func (st orgStore) OrganizationOf(ctx context.Context, account string) (string, error) {
	return one(ctx, st.s, "the organization of account "+account, scanString,
		`SELECT org FROM org_nodes WHERE kind = 'ACCOUNT' AND id = ?`, account)
}

func (st orgStore) ViewOrganization(ctx context.Context, org string, fn func(store.OrgReader) error) error {
	tx, err := st.s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("cannot read organization %s: %w", org, err)
	}
	defer tx.Rollback()
	return fn(orgTx{org: org, q: iamView{s: st.s, ctx: ctx, tx: tx}})
}

func (st orgStore) UpdateOrganization(ctx context.Context, org string, fn func(store.OrgWriter) error) error {
	return st.s.write(ctx, func(tx *Tx) error { return fn(orgTx{org: org, q: tx, w: tx}) })
}

// optionalNanos stores a time that may be zero as 0, and reads it back.
func optionalNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromOptionalNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return nanos(n)
}

func (t orgTx) Organization() (store.Organization, error) {
	return oneIAM(t.tx(), func(row scanner) (store.Organization, error) {
		var o store.Organization
		var created int64
		err := row.Scan(&o.ID, &o.ARN, &o.FeatureSet, &o.ManagementAccount, &created)
		o.Created = nanos(created)
		return o, err
	}, `SELECT id, arn, feature_set, management_account, created FROM org_organizations WHERE id = ?`, t.org)
}

func (t orgTx) PutOrganization(o store.Organization) error {
	if o.ID != t.org {
		panic("BUG: sqlite: organization " + o.ID + " in a transaction of " + t.org)
	}
	return t.tx().exec(false, `INSERT OR REPLACE INTO org_organizations VALUES (?, ?, ?, ?, ?)`,
		o.ID, o.ARN, o.FeatureSet, o.ManagementAccount, o.Created.UnixNano())
}

func (t orgTx) DeleteOrganization() error {
	err := t.tx().exec(false, `DELETE FROM resource_tags WHERE arn IN (SELECT arn FROM org_nodes WHERE org = ?1
		UNION ALL SELECT arn FROM org_policies WHERE org = ?1)`, t.org)
	if err != nil {
		return err
	}
	for _, table := range []string{"org_nodes", "org_policies", "org_attachments", "org_account_requests", "org_delegations"} {
		if err := t.tx().exec(false, `DELETE FROM `+table+` WHERE org = ?`, t.org); err != nil {
			return err
		}
	}
	return t.tx().exec(false, `DELETE FROM org_organizations WHERE id = ?`, t.org)
}

const orgNodeColumns = `kind, id, arn, name, parent, created, email, state, joined_method, policy_types`

func scanOrgNode(row scanner) (store.OrgNode, error) {
	var n store.OrgNode
	var created int64
	var types string
	err := row.Scan(&n.Kind, &n.ID, &n.ARN, &n.Name, &n.Parent, &created, &n.Email, &n.State, &n.JoinedMethod, &types)
	n.Created = nanos(created)
	if types != "" {
		n.PolicyTypes = strings.Split(types, ",")
	}
	return n, err
}

func (t orgTx) Node(id string) (store.OrgNode, error) {
	return oneIAM(t.tx(), scanOrgNode, `SELECT `+orgNodeColumns+` FROM org_nodes WHERE org = ? AND id = ?`, t.org, id)
}

func (t orgTx) Nodes(kind store.OrgNodeKind, parent string) ([]store.OrgNode, error) {
	return listIAM(t.tx(), scanOrgNode, `SELECT `+orgNodeColumns+` FROM org_nodes
		WHERE org = ?1 AND (?2 = '' OR kind = ?2) AND (?3 = '' OR parent = ?3) ORDER BY id`, t.org, kind, parent)
}

func (t orgTx) PutNode(n store.OrgNode) error {
	return t.tx().insert(`INSERT INTO org_nodes (org, `+orgNodeColumns+`, email_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org, id) DO UPDATE SET kind = excluded.kind, arn = excluded.arn, name = excluded.name, parent = excluded.parent,
			created = excluded.created, email = excluded.email, email_key = excluded.email_key, state = excluded.state,
			joined_method = excluded.joined_method, policy_types = excluded.policy_types`,
		t.org, n.Kind, n.ID, n.ARN, n.Name, n.Parent, n.Created.UnixNano(), n.Email, n.State, n.JoinedMethod,
		strings.Join(n.PolicyTypes, ","), strings.ToLower(n.Email))
}

// deleteTagged deletes the row of a node or policy and its tags, or
// fails with ErrNotFound.
func (t orgTx) deleteTagged(table, id string) error {
	err := t.tx().exec(false, `DELETE FROM resource_tags WHERE arn = (SELECT arn FROM `+table+` WHERE org = ? AND id = ?)`, t.org, id)
	if err != nil {
		return err
	}
	return t.tx().exec(true, `DELETE FROM `+table+` WHERE org = ? AND id = ?`, t.org, id)
}

func (t orgTx) DeleteNode(id string) error {
	if err := t.deleteTagged("org_nodes", id); err != nil {
		return err
	}
	return t.tx().exec(false, `DELETE FROM org_attachments WHERE org = ? AND target = ?`, t.org, id)
}

func scanOrgPolicy(row scanner) (store.OrgPolicy, error) {
	var p store.OrgPolicy
	return p, row.Scan(&p.ID, &p.ARN, &p.Name, &p.Description, &p.Type, &p.Content)
}

func (t orgTx) Policy(id string) (store.OrgPolicy, error) {
	return oneIAM(t.tx(), scanOrgPolicy, `SELECT id, arn, name, description, type, content FROM org_policies WHERE org = ? AND id = ?`,
		t.org, id)
}

func (t orgTx) Policies(typ string) ([]store.OrgPolicy, error) {
	return listIAM(t.tx(), scanOrgPolicy, `SELECT id, arn, name, description, type, content FROM org_policies
		WHERE org = ? AND type = ? ORDER BY id`, t.org, typ)
}

func (t orgTx) PutPolicy(p store.OrgPolicy) error {
	return t.tx().exec(false, `INSERT OR REPLACE INTO org_policies VALUES (?, ?, ?, ?, ?, ?, ?)`,
		t.org, p.ID, p.ARN, p.Name, p.Description, p.Type, p.Content)
}

func (t orgTx) DeletePolicy(id string) error { return t.deleteTagged("org_policies", id) }

func (t orgTx) PoliciesOf(target string) ([]string, error) {
	return listIAM(t.tx(), scanString, `SELECT policy FROM org_attachments WHERE org = ? AND target = ? ORDER BY policy`, t.org, target)
}

func (t orgTx) TargetsOf(policy string) ([]string, error) {
	return listIAM(t.tx(), scanString, `SELECT target FROM org_attachments WHERE org = ? AND policy = ? ORDER BY target`, t.org, policy)
}

func (t orgTx) Attach(policy, target string) error {
	return t.tx().insert(`INSERT INTO org_attachments VALUES (?, ?, ?)`, t.org, policy, target)
}

func (t orgTx) Detach(policy, target string) error {
	return t.tx().exec(true, `DELETE FROM org_attachments WHERE org = ? AND policy = ? AND target = ?`, t.org, policy, target)
}

func scanOrgAccountRequest(row scanner) (store.OrgAccountRequest, error) {
	var r store.OrgAccountRequest
	var requested, completed int64
	err := row.Scan(&r.ID, &r.AccountName, &r.State, &r.AccountID, &r.FailureReason, &requested, &completed)
	r.Requested, r.Completed = nanos(requested), fromOptionalNanos(completed)
	return r, err
}

const orgAccountRequestColumns = `id, account_name, state, account_id, failure_reason, requested, completed`

func (t orgTx) AccountRequest(id string) (store.OrgAccountRequest, error) {
	return oneIAM(t.tx(), scanOrgAccountRequest, `SELECT `+orgAccountRequestColumns+` FROM org_account_requests WHERE org = ? AND id = ?`,
		t.org, id)
}

func (t orgTx) AccountRequests() ([]store.OrgAccountRequest, error) {
	return listIAM(t.tx(), scanOrgAccountRequest, `SELECT `+orgAccountRequestColumns+` FROM org_account_requests
		WHERE org = ? ORDER BY id`, t.org)
}

func (t orgTx) PutAccountRequest(r store.OrgAccountRequest) error {
	return t.tx().exec(false, `INSERT OR REPLACE INTO org_account_requests (org, `+orgAccountRequestColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.org, r.ID, r.AccountName, r.State, r.AccountID, r.FailureReason, r.Requested.UnixNano(), optionalNanos(r.Completed))
}

func (t orgTx) Delegations(account string) ([]store.OrgDelegation, error) {
	return listIAM(t.tx(), func(row scanner) (store.OrgDelegation, error) {
		var d store.OrgDelegation
		var created int64
		err := row.Scan(&d.Account, &d.Service, &created)
		d.Created = nanos(created)
		return d, err
	}, `SELECT account, service, created FROM org_delegations WHERE org = ?1 AND (?2 = '' OR account = ?2) ORDER BY account, service`,
		t.org, account)
}

func (t orgTx) PutDelegation(d store.OrgDelegation) error {
	return t.tx().insert(`INSERT INTO org_delegations VALUES (?, ?, ?, ?)`, t.org, d.Account, d.Service, d.Created.UnixNano())
}

func (t orgTx) DeleteDelegation(account, service string) error {
	return t.tx().exec(true, `DELETE FROM org_delegations WHERE org = ? AND account = ? AND service = ?`, t.org, account, service)
}

func (t orgTx) Tags(arn string) (map[string]string, error) {
	var doc string
	if err := t.q.QueryRow(`SELECT json_group_object(key, value) FROM resource_tags WHERE arn = ?`, arn).Scan(&doc); err != nil {
		return nil, err
	}
	out := map[string]string{}
	return out, json.Unmarshal([]byte(doc), &out)
}

func (t orgTx) Tag(arn string, add map[string]string, remove []string) error {
	if len(remove) > 0 {
		args := []any{arn}
		for _, k := range remove {
			args = append(args, k)
		}
		if err := t.tx().exec(false, `DELETE FROM resource_tags WHERE arn = ? AND key IN (`+placeholders(len(remove))+`)`, args...); err != nil {
			return err
		}
	}
	return putTags(t.w, arn, add)
}

func (t orgTx) EmailInUse(email string) (bool, error) {
	var n int
	err := t.q.QueryRow(`SELECT count(*) FROM org_nodes WHERE kind = 'ACCOUNT' AND email_key = ?`, strings.ToLower(email)).Scan(&n)
	return n > 0, err
}
