package sqlite

import (
	"errors"

	"github.com/vigilhq/vigil/internal/store"
)

// The access keys of an account, with their last use: those of
// access_keys (accounts Vigil hosts) and of iam_unhosted_keys, which hold
// different accounts' keys.
const iamKeysQuery = `SELECT k.id, k.principal_arn, k.user_id, k.active, k.created, coalesce(u.used, 0), coalesce(u.region, ''),
	coalesce(u.service, '') FROM (
		SELECT id, account_id AS account, principal_arn, user_id, active, created FROM access_keys WHERE account_id = ?1
		UNION ALL
		SELECT id, account, principal_arn, user_id, active, created FROM iam_unhosted_keys WHERE account = ?1
	) k LEFT JOIN iam_key_usage u ON u.id = k.id`

func (t iamTx) scanKey(row scanner) (store.IAMAccessKey, error) {
	var k store.IAMAccessKey
	var created, used int64
	err := row.Scan(&k.ID, &k.PrincipalARN, &k.UserID, &k.Active, &created, &used, &k.LastRegion, &k.LastService)
	k.AccountID, k.Created = t.account, nanos(created)
	if used != 0 {
		k.LastUsed = nanos(used)
	}
	return k, err
}

func (t iamTx) AccessKey(id string) (store.IAMAccessKey, error) {
	return oneIAM(t, t.scanKey, iamKeysQuery+` WHERE k.id = ?2`, t.account, id)
}

func (t iamTx) AccessKeys(user string) ([]store.IAMAccessKey, error) {
	if user == "" {
		return listIAM(t, t.scanKey, iamKeysQuery+` ORDER BY k.user_id, k.created, k.id`, t.account)
	}
	return listIAM(t, t.scanKey, iamKeysQuery+` WHERE k.user_id = ?2 ORDER BY k.created, k.id`, t.account, user)
}

func (t iamTx) PutAccessKey(k store.AccessKey) error {
	if k.AccountID != t.account {
		panic("BUG: sqlite: an access key of account " + k.AccountID + " in a transaction of " + t.account)
	}
	var hosted int
	if err := t.q.QueryRow(`SELECT count(*) FROM accounts WHERE id = ?`, t.account).Scan(&hosted); err != nil {
		return err
	}
	var taken int
	if err := t.q.QueryRow(`SELECT (SELECT count(*) FROM access_keys WHERE id = ?1) + (SELECT count(*) FROM iam_unhosted_keys WHERE id = ?1)`,
		k.ID).Scan(&taken); err != nil {
		return err
	}
	if taken > 0 {
		return store.ErrExists
	}
	if hosted == 0 {
		return t.insert(`INSERT INTO iam_unhosted_keys VALUES (?, ?, ?, ?, ?, ?)`,
			k.ID, t.account, k.PrincipalARN, k.UserID, k.Active, k.Created.UnixNano())
	}
	return t.insert(`INSERT INTO access_keys VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.ID, t.account, k.PrincipalARN, k.UserID, k.SealedSecret, k.Active, k.Created.UnixNano())
}

// inKeyTable runs the statement of access_keys, then the one of
// iam_unhosted_keys, with args: ErrNotFound when neither changes a row.
func (t iamTx) inKeyTable(hosted, unhosted string, args ...any) error {
	missing := 0
	for _, q := range []string{hosted, unhosted} {
		err := t.exec(true, q, args...)
		if errors.Is(err, store.ErrNotFound) {
			missing++
		} else if err != nil {
			return err
		}
	}
	if missing == 2 {
		return store.ErrNotFound
	}
	return nil
}

func (t iamTx) SetAccessKeyActive(id string, active bool) error {
	return t.inKeyTable(`UPDATE access_keys SET active = ? WHERE id = ? AND account_id = ?`,
		`UPDATE iam_unhosted_keys SET active = ? WHERE id = ? AND account = ?`, active, id, t.account)
}

func (t iamTx) DeleteAccessKey(id string) error {
	err := t.inKeyTable(`DELETE FROM access_keys WHERE id = ? AND account_id = ?`,
		`DELETE FROM iam_unhosted_keys WHERE id = ? AND account = ?`, id, t.account)
	if err != nil {
		return err
	}
	return t.exec(false, `DELETE FROM iam_key_usage WHERE id = ?`, id)
}

func scanLoginProfile(row scanner) (store.IAMLoginProfile, error) {
	var p store.IAMLoginProfile
	var created, changed int64
	err := row.Scan(&p.User, &p.Hash, &p.ResetRequired, &created, &changed)
	p.Created, p.Changed = nanos(created), nanos(changed)
	return p, err
}

func (t iamTx) LoginProfile(user string) (store.IAMLoginProfile, error) {
	return oneIAM(t, scanLoginProfile, `SELECT user_id, hash, reset_required, created, changed FROM iam_login_profiles
		WHERE account = ? AND user_id = ?`, t.account, user)
}

func (t iamTx) PutLoginProfile(p store.IAMLoginProfile) error {
	return t.exec(false, `INSERT OR REPLACE INTO iam_login_profiles VALUES (?, ?, ?, ?, ?, ?)`,
		t.account, p.User, p.Hash, p.ResetRequired, p.Created.UnixNano(), p.Changed.UnixNano())
}

func (t iamTx) DeleteLoginProfile(user string) error {
	return t.exec(true, `DELETE FROM iam_login_profiles WHERE account = ? AND user_id = ?`, t.account, user)
}
