package authz

import (
	"testing"

	"github.com/vigilhq/vigil/internal/api/athena"
	"github.com/vigilhq/vigil/internal/api/cloudtrail"
	"github.com/vigilhq/vigil/internal/api/configservice"
	"github.com/vigilhq/vigil/internal/api/glue"
	"github.com/vigilhq/vigil/internal/api/guardduty"
	"github.com/vigilhq/vigil/internal/api/iam"
	"github.com/vigilhq/vigil/internal/api/inspector"
	"github.com/vigilhq/vigil/internal/api/inspector2"
	"github.com/vigilhq/vigil/internal/api/scheduler"
	"github.com/vigilhq/vigil/internal/api/schemas"
	"github.com/vigilhq/vigil/internal/api/support"
)

func TestResolveScheduler(t *testing.T) {
	f := resolveTester(t, newResolver(t), "scheduler")
	m := scheduler.Model
	f("CreateSchedule", input(t, m, "CreateSchedule", "Name", "nightly", "Target.RoleArn", "arn:aws:iam::123456789012:role/sched"),
		req("scheduler:CreateSchedule", "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly").tagged(),
		req("iam:PassRole", "arn:aws:iam::123456789012:role/sched").tagged().cond("iam:PassedToService", "scheduler.amazonaws.com"))
	f("GetSchedule", input(t, m, "GetSchedule", "Name", "s", "groupName", "team"),
		req("scheduler:GetSchedule", "arn:aws:scheduler:us-east-1:123456789012:schedule/team/s").tagged())
	f("DeleteScheduleGroup", input(t, m, "DeleteScheduleGroup", "Name", "team"),
		req("scheduler:DeleteScheduleGroup", "arn:aws:scheduler:us-east-1:123456789012:schedule-group/team").tagged(),
		req("scheduler:DeleteSchedule", "arn:aws:scheduler:us-east-1:123456789012:schedule/team/*").tagged())
	f("ListSchedules", input(t, m, "ListSchedules"), req("scheduler:ListSchedules", "*"))
}

func TestResolveSchemas(t *testing.T) {
	f := resolveTester(t, newResolver(t), "schemas")
	m := schemas.Model
	f("DescribeSchema", input(t, m, "DescribeSchema", "registryName", "aws.events", "schemaName", "aws.ec2@EC2InstanceStateChangeNotification"),
		req("schemas:DescribeSchema", "arn:aws:schemas:us-east-1:123456789012:schema/aws.events/aws.ec2@EC2InstanceStateChangeNotification").tagged())
	f("ExportSchema", input(t, m, "ExportSchema", "registryName", "r", "schemaName", "s"),
		req("schemas:ExportSchema", "arn:aws:schemas:us-east-1:123456789012:registry/r", "arn:aws:schemas:us-east-1:123456789012:schema/r/s").tagged())
	f("ListRegistries", input(t, m, "ListRegistries"), req("schemas:ListRegistries", "arn:aws:schemas:us-east-1:123456789012:registry/*").tagged())
}

func TestResolveCloudTrail(t *testing.T) {
	f := resolveTester(t, newResolver(t), "cloudtrail")
	m := cloudtrail.Model
	trail := "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
	f("StartLogging", input(t, m, "StartLogging", "Name", "main"), req("cloudtrail:StartLogging", trail).tagged())
	f("StartLogging", input(t, m, "StartLogging", "Name", "arn:aws:cloudtrail:eu-west-1:210987654321:trail/org"),
		req("cloudtrail:StartLogging", "arn:aws:cloudtrail:eu-west-1:210987654321:trail/org").tagged())
	f("CreateTrail", input(t, m, "CreateTrail", "Name", "main", "S3BucketName", "b", "CloudWatchLogsRoleArn", "arn:aws:iam::123456789012:role/ct"),
		req("cloudtrail:CreateTrail", trail).tagged(),
		req("iam:PassRole", "arn:aws:iam::123456789012:role/ct").tagged().cond("iam:PassedToService", "cloudtrail.amazonaws.com"))
	f("GetQueryResults", input(t, m, "GetQueryResults", "QueryId", "q", "EventDataStore", "arn:aws:cloudtrail:us-east-1:210987654321:eventdatastore/eds1"),
		req("cloudtrail:GetQueryResults", "arn:aws:cloudtrail:us-east-1:210987654321:eventdatastore/eds1").tagged())
	f("GetQueryResults", input(t, m, "GetQueryResults", "QueryId", "q", "EventDataStore", "eds1", "EventDataStoreOwnerAccountId", "210987654321"),
		req("cloudtrail:GetQueryResults", "arn:aws:cloudtrail:us-east-1:210987654321:eventdatastore/eds1").tagged())
	f("LookupEvents", input(t, m, "LookupEvents"), req("cloudtrail:LookupEvents", "*"))
	f("GetEventSelectors", input(t, m, "GetEventSelectors", "TrailName", "main"), req("cloudtrail:GetEventSelectors", trail).tagged())
}

// TestResolveOthers covers the services Vigil routes without serving
// them yet (every operation answers NotImplemented after authorization).
func TestResolveOthers(t *testing.T) {
	r := newResolver(t)
	athenaF := resolveTester(t, r, "athena")
	athenaF("StartQueryExecution", input(t, athena.Model, "StartQueryExecution", "QueryString", "SELECT 1"),
		req("athena:StartQueryExecution", "arn:aws:athena:us-east-1:123456789012:workgroup/primary").tagged())
	athenaF("GetQueryExecution", input(t, athena.Model, "GetQueryExecution", "QueryExecutionId", "q"), req("athena:GetQueryExecution", "*"))
	glueF := resolveTester(t, r, "glue")
	glueF("GetTable", input(t, glue.Model, "GetTable", "DatabaseName", "sales", "Name", "orders", "CatalogId", "210987654321"),
		req("glue:GetTable", "arn:aws:glue:us-east-1:210987654321:database/sales", "arn:aws:glue:us-east-1:210987654321:catalog",
			"arn:aws:glue:us-east-1:210987654321:table/sales/orders").tagged())
	glueF("GetSchema", input(t, glue.Model, "GetSchema", "SchemaId.SchemaName", "s"),
		req("glue:GetSchema", "arn:aws:glue:us-east-1:123456789012:registry/default-registry", "arn:aws:glue:us-east-1:123456789012:schema/s").tagged())
	configF := resolveTester(t, r, "config")
	configF("PutAggregationAuthorization", input(t, configservice.Model, "PutAggregationAuthorization", "AuthorizedAccountId", "210987654321", "AuthorizedAwsRegion", "eu-west-1"),
		req("config:PutAggregationAuthorization", "arn:aws:config:us-east-1:123456789012:aggregation-authorization/210987654321/eu-west-1").tagged())
	configF("DeleteConfigRule", input(t, configservice.Model, "DeleteConfigRule", "ConfigRuleName", "r"), req("config:DeleteConfigRule", "*"))
	gdF := resolveTester(t, r, "guardduty")
	gdF("GetFilter", input(t, guardduty.Model, "GetFilter", "DetectorId", "d1", "FilterName", "f"),
		req("guardduty:GetFilter", "arn:aws:guardduty:us-east-1:123456789012:detector/d1/filter/f").tagged())
	iamF := resolveTester(t, r, "iam")
	iamF("AttachRolePolicy", input(t, iam.Model, "AttachRolePolicy", "RoleName", "app", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
		req("iam:AttachRolePolicy", "arn:aws:iam::123456789012:role/app").tagged().cond("iam:PolicyARN", "arn:aws:iam::aws:policy/ReadOnlyAccess"))
	iamF("ListRoles", input(t, iam.Model, "ListRoles"), req("iam:ListRoles", "*"))
	resolveTester(t, r, "inspector")("ListFindings", input(t, inspector.Model, "ListFindings"), req("inspector:ListFindings", "*"))
	resolveTester(t, r, "inspector2")("DeleteFilter", input(t, inspector2.Model, "DeleteFilter", "arn", "arn:aws:inspector2:us-east-1:123456789012:owner/123456789012/filter/f1"),
		req("inspector2:DeleteFilter", "arn:aws:inspector2:us-east-1:123456789012:owner/123456789012/filter/f1").tagged())
	resolveTester(t, r, "support")("CreateCase", input(t, support.Model, "CreateCase", "subject", "help"), req("support:CreateCase", "*"))
}
