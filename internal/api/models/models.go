// Package models lists the generated model of every service Vigil routes,
// for what needs them all: the authorization data's completeness tests,
// the front door's security tests.
package models

import (
	"github.com/vigilhq/vigil/internal/api/athena"
	"github.com/vigilhq/vigil/internal/api/cloudtrail"
	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/configservice"
	"github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/glue"
	"github.com/vigilhq/vigil/internal/api/guardduty"
	"github.com/vigilhq/vigil/internal/api/iam"
	"github.com/vigilhq/vigil/internal/api/inspector"
	"github.com/vigilhq/vigil/internal/api/inspector2"
	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/organizations"
	"github.com/vigilhq/vigil/internal/api/s3"
	"github.com/vigilhq/vigil/internal/api/scheduler"
	"github.com/vigilhq/vigil/internal/api/schemas"
	"github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/api/sts"
	"github.com/vigilhq/vigil/internal/api/support"
	"github.com/vigilhq/vigil/internal/protocol"
)

// All are the services under internal/api (TestAllListsEveryPackage
// keeps the list whole).
var All = []*protocol.Service{
	athena.Model, cloudtrail.Model, cloudwatch.Model, configservice.Model, events.Model, glue.Model,
	guardduty.Model, iam.Model, inspector.Model, inspector2.Model, logs.Model, organizations.Model, s3.Model,
	scheduler.Model, schemas.Model, sns.Model, sqs.Model, sts.Model, support.Model,
}
