package embedded

import (
	"context"
	"testing"

	"github.com/vigilhq/vigil/internal/store/storetest"
)

func openTest(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("Open(%s): %v", dir, err)
	}
	return s
}

// openBackend opens the store in dir as the conformance suites see it,
// closing it when t ends.
func openBackend(t *testing.T, dir string) storetest.Backend {
	s := openTest(t, dir)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return storetest.Backend{
		Accounts: s.Accounts(), Metrics: s.Metrics(), Logs: s.Logs(), Outbox: s.Outbox(), Tags: s.Tags(),
		LogQueries: s.LogQueries(), LogExports: s.LogExports(), LogQuerier: s.Querier(), Leases: s.Leases(), Alarms: s.Alarms(),
		SNS: s.SNS(), SQS: s.SQS(), Events: s.Events(), Schedules: s.Schedules(), SchemaRegistry: s.SchemaRegistry(),
		Dashboards: s.Dashboards(), CloudTrail: s.CloudTrail(), Buckets: s.Buckets(),
		EventDataStores: s.EventDataStores(), LakeEvents: s.LakeEvents(), IAM: s.IAM(), Organizations: s.Organizations(),
	}
}

func TestAccountsConformance(t *testing.T)       { storetest.Accounts(t, openBackend) }
func TestMetricsConformance(t *testing.T)        { storetest.Metrics(t, openBackend) }
func TestLogsConformance(t *testing.T)           { storetest.Logs(t, openBackend) }
func TestOutboxConformance(t *testing.T)         { storetest.Outbox(t, openBackend) }
func TestTagsConformance(t *testing.T)           { storetest.Tags(t, openBackend) }
func TestLogQueriesConformance(t *testing.T)     { storetest.LogQueries(t, openBackend) }
func TestLogExportsConformance(t *testing.T)     { storetest.LogExports(t, openBackend) }
func TestLogQuerierConformance(t *testing.T)     { storetest.LogQuerier(t, openBackend) }
func TestLeasesConformance(t *testing.T)         { storetest.Leases(t, openBackend) }
func TestAlarmsConformance(t *testing.T)         { storetest.Alarms(t, openBackend) }
func TestSNSConformance(t *testing.T)            { storetest.SNS(t, openBackend) }
func TestSQSConformance(t *testing.T)            { storetest.SQS(t, openBackend) }
func TestEventsConformance(t *testing.T)         { storetest.Events(t, openBackend) }
func TestSchedulesConformance(t *testing.T)      { storetest.Schedules(t, openBackend) }
func TestSchemaRegistryConformance(t *testing.T) { storetest.SchemaRegistry(t, openBackend) }
func TestDashboardsConformance(t *testing.T)     { storetest.Dashboards(t, openBackend) }
func TestCloudTrailConformance(t *testing.T)     { storetest.CloudTrail(t, openBackend) }
func TestBucketsConformance(t *testing.T)        { storetest.Buckets(t, openBackend) }
func TestCloudTrailLakeConformance(t *testing.T) { storetest.CloudTrailLake(t, openBackend) }
func TestIAMConformance(t *testing.T)            { storetest.IAM(t, openBackend) }
func TestOrganizationsConformance(t *testing.T)  { storetest.Organizations(t, openBackend) }
