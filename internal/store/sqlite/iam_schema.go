package sqlite

// iamSchema is the migration that adds IAM's tables. Every row starts
// with its account. Names are unique per account and kind compared
// case-insensitively (name_key is the name in lower case: IAM's names
// are ASCII). Access keys of the accounts Vigil hosts live in
// access_keys, where the authenticator finds them; iam_unhosted_keys
// holds those of accounts it does not host (dev mode's), which sign
// nothing.
const iamSchema = `
CREATE TABLE iam_entities (
	account         TEXT NOT NULL,
	kind            TEXT NOT NULL,
	id              TEXT NOT NULL,
	name            TEXT NOT NULL,
	name_key        TEXT NOT NULL,
	path            TEXT NOT NULL,
	arn             TEXT NOT NULL,
	created         INTEGER NOT NULL, -- Unix nanoseconds, as every time here
	updated         INTEGER NOT NULL,
	description     TEXT NOT NULL,
	document        TEXT NOT NULL,
	boundary        TEXT NOT NULL,
	max_session     INTEGER NOT NULL,
	default_version TEXT NOT NULL,
	next_version    INTEGER NOT NULL,
	secret          BLOB,
	PRIMARY KEY (account, id),
	UNIQUE (account, kind, name_key)
);
CREATE TABLE iam_links (
	account TEXT NOT NULL,
	kind    TEXT NOT NULL,
	src     TEXT NOT NULL,
	dst     TEXT NOT NULL,
	created INTEGER NOT NULL,
	PRIMARY KEY (account, kind, src, dst)
);
CREATE INDEX iam_links_dst ON iam_links(account, kind, dst, src);
CREATE TABLE iam_inline_policies (
	account  TEXT NOT NULL,
	owner    TEXT NOT NULL,
	name     TEXT NOT NULL,
	document TEXT NOT NULL,
	PRIMARY KEY (account, owner, name)
);
CREATE TABLE iam_policy_versions (
	account  TEXT NOT NULL,
	policy   TEXT NOT NULL,
	id       TEXT NOT NULL,
	document TEXT NOT NULL,
	created  INTEGER NOT NULL,
	PRIMARY KEY (account, policy, id)
);
CREATE TABLE iam_login_profiles (
	account        TEXT NOT NULL,
	user_id        TEXT NOT NULL,
	hash           TEXT NOT NULL,
	reset_required INTEGER NOT NULL,
	created        INTEGER NOT NULL,
	changed        INTEGER NOT NULL,
	PRIMARY KEY (account, user_id)
);
CREATE TABLE iam_tags (
	account TEXT NOT NULL,
	id      TEXT NOT NULL,
	key     TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (account, id, key)
);
CREATE TABLE iam_aliases (
	account TEXT PRIMARY KEY,
	alias   TEXT NOT NULL UNIQUE
);
CREATE TABLE iam_password_policies (
	account           TEXT PRIMARY KEY,
	min_length        INTEGER NOT NULL,
	require_symbols   INTEGER NOT NULL,
	require_numbers   INTEGER NOT NULL,
	require_uppercase INTEGER NOT NULL,
	require_lowercase INTEGER NOT NULL,
	allow_change      INTEGER NOT NULL,
	hard_expiry       INTEGER NOT NULL,
	max_age_days      INTEGER NOT NULL,
	reuse_prevention  INTEGER NOT NULL
);
CREATE TABLE iam_credential_reports (
	account   TEXT PRIMARY KEY,
	generated INTEGER NOT NULL,
	content   BLOB NOT NULL
);
CREATE TABLE iam_unhosted_keys (
	id            TEXT PRIMARY KEY,
	account       TEXT NOT NULL,
	principal_arn TEXT NOT NULL,
	user_id       TEXT NOT NULL,
	active        INTEGER NOT NULL,
	created       INTEGER NOT NULL
);
CREATE INDEX iam_unhosted_keys_user ON iam_unhosted_keys(account, user_id);
CREATE INDEX access_keys_user ON access_keys(account_id, user_id);
CREATE TABLE iam_key_usage (
	id      TEXT PRIMARY KEY,
	account TEXT NOT NULL,
	used    INTEGER NOT NULL,
	region  TEXT NOT NULL,
	service TEXT NOT NULL
);
`
