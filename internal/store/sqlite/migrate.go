package sqlite

// Migrations are numbered by their position and never edited once
// released: a change to the schema is a new migration.
type migration struct {
	name string
	sql  string
}

var migrations = []migration{
	{name: "state", sql: `
CREATE TABLE accounts (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	created INTEGER NOT NULL -- Unix nanoseconds
);
CREATE TABLE access_keys (
	id            TEXT PRIMARY KEY,
	account_id    TEXT NOT NULL REFERENCES accounts(id),
	principal_arn TEXT NOT NULL,
	user_id       TEXT NOT NULL,
	sealed_secret BLOB NOT NULL,
	active        INTEGER NOT NULL,
	created       INTEGER NOT NULL
);
CREATE INDEX access_keys_account ON access_keys(account_id);

-- Log groups and streams keep their ids for ever (AUTOINCREMENT): the
-- telemetry store's events refer to them.
CREATE TABLE log_groups (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	account             TEXT NOT NULL,
	region              TEXT NOT NULL,
	name                TEXT NOT NULL,
	created             INTEGER NOT NULL,
	retention_days      INTEGER,
	kms_key_id          TEXT,
	class               TEXT NOT NULL,
	deletion_protection INTEGER NOT NULL,
	UNIQUE (account, region, name)
);
CREATE TABLE log_streams (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	group_id INTEGER NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE,
	name     TEXT NOT NULL,
	created  INTEGER NOT NULL,
	UNIQUE (group_id, name)
);
CREATE TABLE log_metric_filters (
	group_id       INTEGER NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE,
	name           TEXT NOT NULL,
	pattern        TEXT NOT NULL,
	transformation TEXT NOT NULL,
	created        INTEGER NOT NULL,
	PRIMARY KEY (group_id, name)
);
CREATE TABLE log_subscription_filters (
	group_id        INTEGER NOT NULL REFERENCES log_groups(id) ON DELETE CASCADE,
	name            TEXT NOT NULL,
	pattern         TEXT NOT NULL,
	destination_arn TEXT NOT NULL,
	role_arn        TEXT NOT NULL,
	distribution    TEXT NOT NULL,
	created         INTEGER NOT NULL,
	PRIMARY KEY (group_id, name)
);
CREATE TABLE log_destinations (
	account       TEXT NOT NULL,
	region        TEXT NOT NULL,
	name          TEXT NOT NULL,
	target_arn    TEXT NOT NULL,
	role_arn      TEXT NOT NULL,
	access_policy TEXT NOT NULL,
	created       INTEGER NOT NULL,
	PRIMARY KEY (account, region, name)
);
-- Telemetry of deleted groups and streams still to delete: written in the
-- same transaction as the deletion, removed once the telemetry store has
-- deleted it, so that a crash between the two leaves work, not orphans.
CREATE TABLE log_purges (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	group_id  INTEGER NOT NULL,
	stream_id INTEGER -- NULL: the whole group
);
CREATE TABLE resource_tags (
	arn   TEXT NOT NULL,
	key   TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (arn, key)
);
CREATE TABLE anomaly_detectors (
	account       TEXT NOT NULL,
	region        TEXT NOT NULL,
	spec          TEXT NOT NULL,
	configuration TEXT NOT NULL,
	created       INTEGER NOT NULL,
	PRIMARY KEY (account, region, spec)
);
CREATE TABLE log_queries (
	id            TEXT PRIMARY KEY,
	account       TEXT NOT NULL,
	region        TEXT NOT NULL,
	query         TEXT NOT NULL,
	language      TEXT NOT NULL,
	groups        TEXT NOT NULL,
	status        TEXT NOT NULL,
	created       INTEGER NOT NULL,
	duration      INTEGER NOT NULL,
	user_identity TEXT NOT NULL,
	statistics    TEXT NOT NULL,
	results       BLOB
);
CREATE INDEX log_queries_scope ON log_queries(account, region, created);
CREATE TABLE log_query_definitions (
	id            TEXT PRIMARY KEY,
	account       TEXT NOT NULL,
	region        TEXT NOT NULL,
	name          TEXT NOT NULL,
	query         TEXT NOT NULL,
	language      TEXT NOT NULL,
	groups        TEXT NOT NULL,
	last_modified INTEGER NOT NULL
);
-- Which node runs each singleton job, until when.
CREATE TABLE leases (
	name    TEXT PRIMARY KEY,
	holder  TEXT NOT NULL,
	expires INTEGER NOT NULL -- Unix milliseconds
);
`},
	{name: "log query runs", sql: `
-- Which node runs each Logs Insights query, when it last told it still
-- does (Unix milliseconds, on its clock), and whether another node asked
-- it to stop: one row per log_queries row (none for queries imported from
-- the legacy store). Apart from log_queries, whose columns the legacy
-- import fills by position.
CREATE TABLE log_query_runs (
	id             TEXT PRIMARY KEY,
	owner          TEXT NOT NULL,
	heartbeat      INTEGER NOT NULL,
	stop_requested INTEGER NOT NULL
);
-- StartLogQuery counts an account's running queries.
CREATE INDEX log_queries_status ON log_queries(account, region, status);
`},
	{name: "alarms", sql: `
-- CloudWatch alarms. definition and evaluation are the alarm engine's
-- encodings, opaque to the store; times are Unix milliseconds.
CREATE TABLE alarms (
	account            TEXT NOT NULL,
	region             TEXT NOT NULL,
	name               TEXT NOT NULL,
	arn                TEXT NOT NULL,
	type               TEXT NOT NULL,
	definition         BLOB NOT NULL,
	actions_enabled    INTEGER NOT NULL,
	state              TEXT NOT NULL,
	state_reason       TEXT NOT NULL,
	state_reason_data  TEXT NOT NULL,
	state_updated      INTEGER NOT NULL,
	state_transitioned INTEGER NOT NULL,
	config_updated     INTEGER NOT NULL,
	evaluation         BLOB,
	PRIMARY KEY (account, region, name)
);
-- Alarm history outlives the alarms (CloudWatch keeps it after a
-- deletion), so it refers to them by name only; it expires by age.
CREATE TABLE alarm_history (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	alarm_name TEXT NOT NULL,
	alarm_type TEXT NOT NULL,
	ts         INTEGER NOT NULL,
	type       TEXT NOT NULL,
	summary    TEXT NOT NULL,
	data       TEXT NOT NULL
);
CREATE INDEX alarm_history_scope ON alarm_history(account, region, ts);
CREATE INDEX alarm_history_alarm ON alarm_history(account, region, alarm_name, ts);
-- The expiry deletes by age across accounts.
CREATE INDEX alarm_history_ts ON alarm_history(ts);
`},
	{name: "alarm mute rules", sql: `
-- CloudWatch alarm mute rules; definition is the alarm engine's encoding.
CREATE TABLE alarm_mute_rules (
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	name       TEXT NOT NULL,
	arn        TEXT NOT NULL,
	definition BLOB NOT NULL,
	updated    INTEGER NOT NULL,
	PRIMARY KEY (account, region, name)
);
`},
	{name: "alarm contributors in history", sql: `
-- The contributor (one time series of a multi-time-series alarm) an item
-- is about, and its attributes as a JSON object; '' for the alarm's own.
ALTER TABLE alarm_history ADD COLUMN contributor_id TEXT NOT NULL DEFAULT '';
ALTER TABLE alarm_history ADD COLUMN contributor_attributes TEXT NOT NULL DEFAULT '';
`},
	{name: "sns", sql: `
-- SNS topics, unique by ARN and by account, region and name. attributes
-- is the SNS engine's encoding, opaque to the store; times are Unix
-- milliseconds.
CREATE TABLE sns_topics (
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	name       TEXT NOT NULL,
	arn        TEXT PRIMARY KEY,
	attributes BLOB NOT NULL,
	created    INTEGER NOT NULL,
	UNIQUE (account, region, name)
);
-- ListTopics pages through a scope's topics by ARN.
CREATE INDEX sns_topics_scope ON sns_topics(account, region, arn);
-- Subscriptions; account and region are their topic's, owner the account
-- that subscribed. They are deleted with their topic, in the deletion's
-- transaction.
CREATE TABLE sns_subscriptions (
	arn        TEXT PRIMARY KEY,
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	owner      TEXT NOT NULL,
	topic_arn  TEXT NOT NULL,
	protocol   TEXT NOT NULL,
	endpoint   TEXT NOT NULL,
	confirmed  INTEGER NOT NULL,
	token      TEXT NOT NULL,
	attributes BLOB NOT NULL,
	created    INTEGER NOT NULL
);
-- ListSubscriptionsByTopic and DeleteTopic, by topic and ARN.
CREATE INDEX sns_subscriptions_topic ON sns_subscriptions(topic_arn, arn);
-- ListSubscriptions, of every topic of a scope, by ARN.
CREATE INDEX sns_subscriptions_scope ON sns_subscriptions(account, region, arn);
-- Subscribe finds the subscription of an endpoint to return it again.
CREATE INDEX sns_subscriptions_endpoint ON sns_subscriptions(topic_arn, protocol, endpoint);
-- ConfirmSubscription finds the subscription by its token.
CREATE INDEX sns_subscriptions_token ON sns_subscriptions(topic_arn, token);
`},
	{name: "sqs", sql: `
-- SQS queues, unique by ARN and by account, region and name (which also
-- lists a scope's queues by name). attributes is the SQS engine's
-- encoding, opaque to the store; times are Unix milliseconds.
CREATE TABLE sqs_queues (
	arn        TEXT PRIMARY KEY,
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	name       TEXT NOT NULL,
	attributes BLOB NOT NULL,
	created    INTEGER NOT NULL,
	updated    INTEGER NOT NULL,
	UNIQUE (account, region, name)
);
-- Messages, received by seq (AUTOINCREMENT: never reused, so that it
-- orders every message ever sent, and is a FIFO message's
-- SequenceNumber). attributes is the engine's encoding (NULL: none);
-- group_id and dedup_id are a FIFO message's ('' else). visible_at is
-- when it may be received next, expires when retention deletes it;
-- receipt is the token of its latest receive ('' before the first).
-- They are deleted with their queue, in the deletion's transaction.
CREATE TABLE sqs_messages (
	seq            INTEGER PRIMARY KEY AUTOINCREMENT,
	queue_arn      TEXT NOT NULL,
	id             TEXT NOT NULL,
	body           TEXT NOT NULL,
	attributes     BLOB,
	group_id       TEXT NOT NULL,
	dedup_id       TEXT NOT NULL,
	sent           INTEGER NOT NULL,
	visible_at     INTEGER NOT NULL,
	expires        INTEGER NOT NULL,
	receive_count  INTEGER NOT NULL,
	first_received INTEGER NOT NULL,
	receipt        TEXT NOT NULL
);
-- ReceiveMessage scans a queue's messages by seq, oldest first, for the
-- visible ones (it stops at its Max, and a receive changes no column of
-- this index); Purge and DeleteQueue by queue.
CREATE INDEX sqs_messages_queue ON sqs_messages(queue_arn, seq);
-- DeleteMessage and ChangeMessageVisibility, by queue and id.
CREATE INDEX sqs_messages_id ON sqs_messages(queue_arn, id);
-- The expiry deletes by retention across queues.
CREATE INDEX sqs_messages_expires ON sqs_messages(expires);
-- A FIFO receive skips the groups with a message in flight: it finds
-- them among the FIFO messages received at least once (a standard
-- queue's messages have no group, and are not in this index).
CREATE INDEX sqs_messages_received_groups ON sqs_messages(queue_arn, group_id)
	WHERE receive_count > 0 AND group_id <> '';
-- FIFO deduplication: the message (id and seq) each deduplication id of
-- a queue was last added as, and when. A record outlives its message
-- (AWS deduplicates for 5 minutes after the send, deleted or not) until
-- the expiry deletes it by age; it is deleted with its queue.
CREATE TABLE sqs_dedup (
	queue_arn  TEXT NOT NULL,
	dedup_id   TEXT NOT NULL,
	message_id TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	sent       INTEGER NOT NULL,
	PRIMARY KEY (queue_arn, dedup_id)
);
-- The expiry deletes the records by age across queues.
CREATE INDEX sqs_dedup_sent ON sqs_dedup(sent);
`},
	{name: "events", sql: `
-- EventBridge buses, unique by ARN and by account, region and name.
-- attributes is the engine's encoding; times are Unix milliseconds.
CREATE TABLE events_buses (
	arn        TEXT PRIMARY KEY,
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	name       TEXT NOT NULL,
	attributes BLOB NOT NULL,
	created    INTEGER NOT NULL,
	updated    INTEGER NOT NULL,
	UNIQUE (account, region, name)
);
-- Rules, by ARN, listed by bus and name; deleted with their bus.
-- definition is the engine's encoding; next_fire is when an enabled
-- scheduled rule fires next (0 for the others).
CREATE TABLE events_rules (
	arn        TEXT PRIMARY KEY,
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	bus        TEXT NOT NULL,
	name       TEXT NOT NULL,
	enabled    INTEGER NOT NULL,
	scheduled  INTEGER NOT NULL,
	definition BLOB NOT NULL,
	next_fire  INTEGER NOT NULL,
	created    INTEGER NOT NULL,
	UNIQUE (account, region, bus, name),
	FOREIGN KEY (account, region, bus) REFERENCES events_buses(account, region, name) ON DELETE CASCADE
);
-- The scheduler finds the rules due to fire.
CREATE INDEX events_rules_due ON events_rules(next_fire) WHERE next_fire > 0;
-- Targets of a rule by id; deleted with their rule (a rule is deleted
-- with targets only with its bus). ListRuleNamesByTarget finds them by
-- ARN.
CREATE TABLE events_targets (
	rule_arn   TEXT NOT NULL REFERENCES events_rules(arn) ON DELETE CASCADE,
	id         TEXT NOT NULL,
	arn        TEXT NOT NULL,
	definition BLOB NOT NULL,
	PRIMARY KEY (rule_arn, id)
);
CREATE INDEX events_targets_arn ON events_targets(arn, rule_arn);
`},
	{name: "sqs redrive", sql: `
-- The queue a redrive moved a message from to its dead-letter queue
-- ('': none), where a move task without a destination returns it.
ALTER TABLE sqs_messages ADD COLUMN source_arn TEXT NOT NULL DEFAULT '';
-- Message move tasks, listed by source queue, latest started first.
-- Times are Unix milliseconds; rate 0 is none given, destination_arn ''
-- none (each message back to its source_arn).
CREATE TABLE sqs_move_tasks (
	id              TEXT PRIMARY KEY,
	account         TEXT NOT NULL,
	region          TEXT NOT NULL,
	source_arn      TEXT NOT NULL,
	destination_arn TEXT NOT NULL,
	rate            INTEGER NOT NULL,
	status          TEXT NOT NULL,
	failure_reason  TEXT NOT NULL,
	started         INTEGER NOT NULL,
	progressed      INTEGER NOT NULL,
	to_move         INTEGER NOT NULL,
	moved           INTEGER NOT NULL
);
CREATE INDEX sqs_move_tasks_source ON sqs_move_tasks(source_arn, started);
-- One active task per source queue; the move job finds them.
CREATE UNIQUE INDEX sqs_move_tasks_active ON sqs_move_tasks(source_arn)
	WHERE status IN ('RUNNING', 'CANCELLING');
-- FIFO receive attempts: the messages a receive returned (a JSON list
-- of {"seq", "receipt"}), hidden until visible_until, which a retry of
-- the attempt within 5 minutes of received returns again. The expiry
-- deletes them by age; they are deleted with their queue.
CREATE TABLE sqs_receive_attempts (
	queue_arn     TEXT NOT NULL,
	attempt_id    TEXT NOT NULL,
	received      INTEGER NOT NULL,
	visible_until INTEGER NOT NULL,
	messages      TEXT NOT NULL,
	PRIMARY KEY (queue_arn, attempt_id)
);
CREATE INDEX sqs_receive_attempts_received ON sqs_receive_attempts(received);
`},
	{name: "sns data protection policies and sequence numbers", sql: `
-- A topic's data protection policy as given ('' when it has none).
ALTER TABLE sns_topics ADD COLUMN data_protection_policy TEXT NOT NULL DEFAULT '';
-- The last sequence number given to a message of a FIFO topic: one
-- counter for every topic, so that a topic's numbers grow even across
-- its deletion and creation again.
CREATE TABLE sns_sequence (last INTEGER NOT NULL);
INSERT INTO sns_sequence VALUES (0);
`},
	{name: "events archives and replays", sql: `
-- EventBridge archives, unique by ARN and by account, region and name;
-- deleted with their bus. id tells an archive from one created again
-- under its name; rule_arn is the rule that feeds it; attributes is the
-- engine's encoding. event_count and size_bytes count its events,
-- last_seq numbers them. Times are Unix milliseconds.
CREATE TABLE events_archives (
	arn            TEXT PRIMARY KEY,
	account        TEXT NOT NULL,
	region         TEXT NOT NULL,
	name           TEXT NOT NULL,
	id             TEXT NOT NULL,
	bus_arn        TEXT NOT NULL REFERENCES events_buses(arn) ON DELETE CASCADE,
	rule_arn       TEXT NOT NULL,
	retention_days INTEGER NOT NULL,
	attributes     BLOB NOT NULL,
	created        INTEGER NOT NULL,
	event_count    INTEGER NOT NULL,
	size_bytes     INTEGER NOT NULL,
	last_seq       INTEGER NOT NULL DEFAULT 0,
	UNIQUE (account, region, name)
);
CREATE INDEX events_archives_bus ON events_archives(bus_arn);
-- Archived events by archive, time and sequence number, the order a
-- replay reads them in; deleted with their archive. The retention job
-- finds them by archive and archiving time.
CREATE TABLE events_archived (
	archive_arn TEXT NOT NULL REFERENCES events_archives(arn) ON DELETE CASCADE,
	time        INTEGER NOT NULL,
	seq         INTEGER NOT NULL,
	archived    INTEGER NOT NULL,
	event       BLOB NOT NULL,
	PRIMARY KEY (archive_arn, time, seq)
) WITHOUT ROWID;
CREATE INDEX events_archived_age ON events_archived(archive_arn, archived);
-- Replays, unique by ARN and by account, region and name; a replay
-- outlives its archive. definition is the engine's encoding; the cursor
-- is the time and sequence number of the last event replayed;
-- last_replayed and ended are 0 until set.
CREATE TABLE events_replays (
	arn           TEXT PRIMARY KEY,
	account       TEXT NOT NULL,
	region        TEXT NOT NULL,
	name          TEXT NOT NULL,
	archive_arn   TEXT NOT NULL,
	definition    BLOB NOT NULL,
	event_start   INTEGER NOT NULL,
	event_end     INTEGER NOT NULL,
	started       INTEGER NOT NULL,
	state         TEXT NOT NULL,
	reason        TEXT NOT NULL,
	cursor_time   INTEGER NOT NULL,
	cursor_seq    INTEGER NOT NULL,
	last_replayed INTEGER NOT NULL,
	ended         INTEGER NOT NULL,
	UNIQUE (account, region, name)
);
-- The replay job finds the replays under way.
CREATE INDEX events_replays_active ON events_replays(state, started)
	WHERE state IN ('STARTING', 'RUNNING', 'CANCELLING');
`},
	{name: "scheduler", sql: `
-- EventBridge Scheduler's schedule groups, unique by ARN and by account,
-- region and name. Times are Unix milliseconds.
CREATE TABLE scheduler_groups (
	arn     TEXT PRIMARY KEY,
	account TEXT NOT NULL,
	region  TEXT NOT NULL,
	name    TEXT NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	UNIQUE (account, region, name)
);
-- Schedules by ARN, listed by group and name; deleted with their group.
-- definition is the engine's encoding; next_fire is the scheduled time
-- of the next invocation and due when it is made (0 and 0 when the
-- schedule invokes nothing more).
CREATE TABLE scheduler_schedules (
	arn        TEXT PRIMARY KEY,
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	group_name TEXT NOT NULL,
	name       TEXT NOT NULL,
	enabled    INTEGER NOT NULL,
	definition BLOB NOT NULL,
	next_fire  INTEGER NOT NULL,
	due        INTEGER NOT NULL,
	created    INTEGER NOT NULL,
	updated    INTEGER NOT NULL,
	UNIQUE (account, region, group_name, name),
	FOREIGN KEY (account, region, group_name) REFERENCES scheduler_groups(account, region, name) ON DELETE CASCADE
);
-- The firing job finds the schedules due.
CREATE INDEX scheduler_schedules_due ON scheduler_schedules(due) WHERE due > 0;
-- The client tokens of writes, by account, region and operation, with
-- the fingerprint of their request; forgotten by the time they were
-- used.
CREATE TABLE scheduler_tokens (
	account     TEXT NOT NULL,
	region      TEXT NOT NULL,
	operation   TEXT NOT NULL,
	token       TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	used        INTEGER NOT NULL,
	PRIMARY KEY (account, region, operation, token)
);
CREATE INDEX scheduler_tokens_used ON scheduler_tokens(used);
`},
	{name: "outbox", sql: `
-- The deliveries that state changes set off, until they are made (see
-- package store). Ids are never used again (AUTOINCREMENT) and start at
-- 2^52, above the telemetry store's outbox ids.
CREATE TABLE outbox (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	kind          TEXT NOT NULL,
	account       TEXT NOT NULL,
	region        TEXT NOT NULL,
	target        TEXT NOT NULL,
	payload       BLOB NOT NULL,
	attempts      INTEGER NOT NULL,
	next_attempt  INTEGER NOT NULL,
	last_error    TEXT NOT NULL,
	version       INTEGER NOT NULL,
	created       INTEGER NOT NULL,
	claim         INTEGER NOT NULL,
	claimed_until INTEGER NOT NULL,
	dead_at       INTEGER NOT NULL
);
INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', 4503599627370495);
-- Claims take the pending items of a kind in id order.
CREATE INDEX outbox_pending ON outbox(kind, id) WHERE dead_at = 0;
CREATE INDEX outbox_dead ON outbox(id) WHERE dead_at > 0;
`},
	{name: "events connections and api destinations", sql: `
-- EventBridge connections and API destinations, unique by account,
-- region and name (their ARNs end with a UUID). definition is the
-- engine's encoding; times are Unix milliseconds.
CREATE TABLE events_connections (
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	name       TEXT NOT NULL,
	arn        TEXT NOT NULL UNIQUE,
	state      TEXT NOT NULL,
	definition BLOB NOT NULL,
	created    INTEGER NOT NULL,
	updated    INTEGER NOT NULL,
	authorized INTEGER NOT NULL,
	PRIMARY KEY (account, region, name)
);
CREATE TABLE events_api_destinations (
	account        TEXT NOT NULL,
	region         TEXT NOT NULL,
	name           TEXT NOT NULL,
	arn            TEXT NOT NULL UNIQUE,
	connection_arn TEXT NOT NULL,
	definition     BLOB NOT NULL,
	created        INTEGER NOT NULL,
	updated        INTEGER NOT NULL,
	PRIMARY KEY (account, region, name)
);
`},
	{name: "schema registry", sql: `
CREATE TABLE schemas_registries (
	account         TEXT NOT NULL,
	region          TEXT NOT NULL,
	name            TEXT NOT NULL,
	arn             TEXT NOT NULL UNIQUE,
	description     TEXT NOT NULL,
	policy          TEXT NOT NULL,
	policy_revision TEXT NOT NULL,
	created         INTEGER NOT NULL,
	updated         INTEGER NOT NULL,
	PRIMARY KEY (account, region, name)
);
-- next_version numbers a schema's next version: numbers are never
-- reused, even those of deleted versions.
CREATE TABLE schemas_schemas (
	account      TEXT NOT NULL,
	region       TEXT NOT NULL,
	registry     TEXT NOT NULL,
	name         TEXT NOT NULL,
	arn          TEXT NOT NULL UNIQUE,
	description  TEXT NOT NULL,
	latest       INTEGER NOT NULL,
	next_version INTEGER NOT NULL,
	created      INTEGER NOT NULL,
	modified     INTEGER NOT NULL,
	PRIMARY KEY (account, region, registry, name),
	FOREIGN KEY (account, region, registry) REFERENCES schemas_registries(account, region, name) ON DELETE CASCADE
);
CREATE TABLE schemas_versions (
	schema_arn TEXT NOT NULL REFERENCES schemas_schemas(arn) ON DELETE CASCADE,
	version    INTEGER NOT NULL,
	type       TEXT NOT NULL,
	content    TEXT NOT NULL,
	created    INTEGER NOT NULL,
	PRIMARY KEY (schema_arn, version)
);
CREATE TABLE schemas_discoverers (
	account       TEXT NOT NULL,
	region        TEXT NOT NULL,
	id            TEXT NOT NULL,
	arn           TEXT NOT NULL UNIQUE,
	source        TEXT NOT NULL,
	description   TEXT NOT NULL,
	started       INTEGER NOT NULL,
	cross_account INTEGER NOT NULL,
	created       INTEGER NOT NULL,
	updated       INTEGER NOT NULL,
	PRIMARY KEY (account, region, id)
);
CREATE INDEX schemas_discoverers_source ON schemas_discoverers(source);
`},
	{name: "cloudwatch dashboards", sql: `
CREATE TABLE cloudwatch_dashboards (
	account  TEXT NOT NULL,
	name     TEXT NOT NULL,
	arn      TEXT NOT NULL UNIQUE,
	body     TEXT NOT NULL,
	modified INTEGER NOT NULL,
	PRIMARY KEY (account, name)
);
`},
	{name: "cloudtrail", sql: `
CREATE TABLE cloudtrail_events (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	time       INTEGER NOT NULL,
	id         TEXT NOT NULL,
	name       TEXT NOT NULL,
	source     TEXT NOT NULL,
	username   TEXT NOT NULL,
	access_key TEXT NOT NULL,
	read_only  INTEGER NOT NULL,
	category   TEXT NOT NULL,
	resource   TEXT NOT NULL,
	error_code TEXT NOT NULL,
	record     BLOB NOT NULL
);
CREATE INDEX cloudtrail_events_time ON cloudtrail_events(account, region, category, time, seq);
CREATE TABLE cloudtrail_marks (
	time INTEGER PRIMARY KEY,
	seq  INTEGER NOT NULL
);
CREATE INDEX cloudtrail_events_id ON cloudtrail_events(account, region, id);
CREATE INDEX cloudtrail_events_name ON cloudtrail_events(account, region, name, time, seq);
CREATE INDEX cloudtrail_events_source ON cloudtrail_events(account, region, source, time, seq);
CREATE INDEX cloudtrail_events_username ON cloudtrail_events(account, region, username, time, seq);
CREATE INDEX cloudtrail_events_access_key ON cloudtrail_events(account, region, access_key, time, seq);
CREATE TABLE cloudtrail_trails (
	account   TEXT NOT NULL,
	region    TEXT NOT NULL,
	name      TEXT NOT NULL,
	arn       TEXT NOT NULL UNIQUE,
	settings  BLOB NOT NULL,
	state     BLOB NOT NULL,
	delivered INTEGER NOT NULL,
	created   INTEGER NOT NULL,
	PRIMARY KEY (account, region, name)
);
CREATE TABLE cloudtrail_log_files (
	id        INTEGER PRIMARY KEY,
	trail_arn TEXT NOT NULL,
	region    TEXT NOT NULL,
	bucket    TEXT NOT NULL,
	key       TEXT NOT NULL,
	hash      TEXT NOT NULL,
	oldest    INTEGER NOT NULL,
	newest    INTEGER NOT NULL,
	delivered INTEGER NOT NULL
);
CREATE INDEX cloudtrail_log_files_trail ON cloudtrail_log_files(trail_arn, region, delivered);
CREATE TABLE cloudtrail_keys (
	region         TEXT NOT NULL,
	fingerprint    TEXT NOT NULL PRIMARY KEY,
	public         BLOB NOT NULL,
	sealed_private BLOB NOT NULL,
	valid_from     INTEGER NOT NULL,
	valid_to       INTEGER NOT NULL
);
`},
	{name: "s3 buckets", sql: `
CREATE TABLE s3_buckets (
	name       TEXT PRIMARY KEY,
	account    TEXT NOT NULL,
	region     TEXT NOT NULL,
	created    INTEGER NOT NULL,
	versioning TEXT NOT NULL DEFAULT ''
);
CREATE INDEX s3_buckets_account ON s3_buckets(account, name);
CREATE TABLE s3_bucket_configs (
	bucket TEXT NOT NULL,
	kind   TEXT NOT NULL,
	doc    TEXT NOT NULL,
	PRIMARY KEY (bucket, kind)
);
CREATE TABLE s3_objects (
	seq           INTEGER PRIMARY KEY AUTOINCREMENT,
	bucket        TEXT NOT NULL,
	key           TEXT NOT NULL,
	version_id    TEXT NOT NULL,
	delete_marker INTEGER NOT NULL,
	size          INTEGER NOT NULL,
	etag          TEXT NOT NULL,
	modified      INTEGER NOT NULL,
	headers       TEXT NOT NULL,
	metadata      TEXT NOT NULL,
	blob          TEXT NOT NULL,
	parts         INTEGER NOT NULL,
	UNIQUE (bucket, key, version_id)
);
CREATE INDEX s3_objects_key ON s3_objects(bucket, key, seq);
CREATE TABLE s3_uploads (
	id        TEXT PRIMARY KEY,
	bucket    TEXT NOT NULL,
	key       TEXT NOT NULL,
	initiated INTEGER NOT NULL,
	headers   TEXT NOT NULL,
	metadata  TEXT NOT NULL
);
CREATE INDEX s3_uploads_bucket ON s3_uploads(bucket, key, id);
CREATE TABLE s3_parts (
	upload_id TEXT NOT NULL,
	number    INTEGER NOT NULL,
	size      INTEGER NOT NULL,
	etag      TEXT NOT NULL,
	modified  INTEGER NOT NULL,
	blob      TEXT NOT NULL,
	PRIMARY KEY (upload_id, number)
);
`},
	{name: "logs export tasks", sql: `
CREATE TABLE log_export_tasks (
	id                 TEXT PRIMARY KEY,
	account            TEXT NOT NULL,
	region             TEXT NOT NULL,
	name               TEXT NOT NULL,
	log_group          TEXT NOT NULL,
	group_id           INTEGER NOT NULL,
	stream_prefix      TEXT NOT NULL,
	from_time          INTEGER NOT NULL,
	to_time            INTEGER NOT NULL,
	destination        TEXT NOT NULL,
	destination_prefix TEXT NOT NULL,
	status             TEXT NOT NULL,
	message            TEXT NOT NULL,
	created            INTEGER NOT NULL,
	completed          INTEGER NOT NULL,
	stream             TEXT NOT NULL,
	file               INTEGER NOT NULL,
	after_timestamp    INTEGER NOT NULL,
	after_seq          INTEGER NOT NULL
);
CREATE INDEX log_export_tasks_account ON log_export_tasks(account, region, created);
CREATE INDEX log_export_tasks_status ON log_export_tasks(status);
`},
	{name: "cloudtrail lake event data stores", sql: `
CREATE TABLE cloudtrail_event_data_stores (
	account  TEXT NOT NULL,
	region   TEXT NOT NULL,
	id       TEXT NOT NULL,
	arn      TEXT NOT NULL PRIMARY KEY,
	name     TEXT NOT NULL,
	settings BLOB NOT NULL,
	created  INTEGER NOT NULL,
	updated  INTEGER NOT NULL,
	UNIQUE (account, region, name)
);
`},
	{name: "s3 server access logs", sql: `
CREATE TABLE s3_access_logs (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	target TEXT NOT NULL,
	prefix TEXT NOT NULL,
	bucket TEXT NOT NULL,
	owner  TEXT NOT NULL,
	line   TEXT NOT NULL
);
`},
	{name: "iam", sql: iamSchema},
	{name: "organizations", sql: organizationsSchema},
}
