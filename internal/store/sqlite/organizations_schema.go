package sqlite

// organizationsSchema is the migration that adds AWS Organizations'
// tables. Every row starts with its organization. An account belongs to
// one organization at most: the ids of account nodes are unique across
// organizations (org_nodes_account), which is also how an account's
// organization is found. The tags of roots, OUs, accounts and policies
// are resource_tags', by ARN. Times are Unix nanoseconds.
const organizationsSchema = `
CREATE TABLE org_organizations (
	id                 TEXT PRIMARY KEY,
	arn                TEXT NOT NULL,
	feature_set        TEXT NOT NULL,
	management_account TEXT NOT NULL,
	created            INTEGER NOT NULL
);
CREATE TABLE org_nodes (
	org           TEXT NOT NULL,
	id            TEXT NOT NULL,
	kind          TEXT NOT NULL,
	arn           TEXT NOT NULL,
	name          TEXT NOT NULL,
	parent        TEXT NOT NULL,
	created       INTEGER NOT NULL,
	email         TEXT NOT NULL,
	email_key     TEXT NOT NULL, -- email in lower case
	state         TEXT NOT NULL,
	joined_method TEXT NOT NULL,
	policy_types  TEXT NOT NULL, -- a root's, comma-separated
	PRIMARY KEY (org, id)
);
CREATE UNIQUE INDEX org_nodes_account ON org_nodes(id) WHERE kind = 'ACCOUNT';
CREATE INDEX org_nodes_parent ON org_nodes(org, parent, id);
CREATE INDEX org_nodes_email ON org_nodes(email_key) WHERE kind = 'ACCOUNT';
CREATE TABLE org_policies (
	org         TEXT NOT NULL,
	id          TEXT NOT NULL,
	arn         TEXT NOT NULL,
	name        TEXT NOT NULL,
	description TEXT NOT NULL,
	type        TEXT NOT NULL,
	content     TEXT NOT NULL,
	PRIMARY KEY (org, id)
);
-- policy is the id of one of org_policies, or of an AWS managed policy
-- (p-FullAWSAccess), which has no row.
CREATE TABLE org_attachments (
	org    TEXT NOT NULL,
	policy TEXT NOT NULL,
	target TEXT NOT NULL,
	PRIMARY KEY (org, policy, target)
);
CREATE INDEX org_attachments_target ON org_attachments(org, target, policy);
CREATE TABLE org_account_requests (
	org            TEXT NOT NULL,
	id             TEXT NOT NULL,
	account_name   TEXT NOT NULL,
	state          TEXT NOT NULL,
	account_id     TEXT NOT NULL,
	failure_reason TEXT NOT NULL,
	requested      INTEGER NOT NULL,
	completed      INTEGER NOT NULL, -- 0 while in progress
	PRIMARY KEY (org, id)
);
CREATE TABLE org_delegations (
	org     TEXT NOT NULL,
	account TEXT NOT NULL,
	service TEXT NOT NULL,
	created INTEGER NOT NULL,
	PRIMARY KEY (org, account, service)
);
`
