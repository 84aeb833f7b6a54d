package organizations

import (
	"reflect"
	"slices"
	"testing"
)

func TestSCPs(t *testing.T) {
	f := newFixture(t)
	scps := func(account string) ([][]string, uint64) {
		t.Helper()
		levels, version, err := f.svc.SCPs(f.ctx, account)
		f.must(err)
		sorted := slices.Clone(levels)
		for i := range sorted {
			// The order of a level's policies does not matter.
			sorted[i] = slices.Sorted(slices.Values(levels[i]))
		}
		return sorted, version
	}
	if levels, _ := scps(outsider); levels != nil {
		t.Errorf("SCPs of an account in no organization = %v; want nil", levels)
	}
	rt := f.organization()
	ou := f.unit(rt.ID, "ou")
	member := f.account("m")
	f.must(f.svc.MoveAccount(f.ctx, mgmt, member, rt.ID, ou.ID))
	if levels, _ := scps(member); levels != nil {
		t.Errorf("SCPs while they are not enabled = %v; want nil", levels)
	}
	_, err := f.svc.EnablePolicyType(f.ctx, mgmt, rt.ID, SCPType)
	f.must(err)
	deny := f.scp("no-s3", denyS3)
	f.must(f.svc.AttachPolicy(f.ctx, mgmt, deny.ID, ou.ID))
	full := fullAWSAccess.Content
	want := [][]string{{full}, slices.Sorted(slices.Values([]string{deny.Content, full})), {full}}
	levels, version := scps(member)
	if !reflect.DeepEqual(levels, want) {
		t.Errorf("SCPs(member) = %q; want root, OU and account levels %q", levels, want)
	}
	if levels, _ := scps(mgmt); levels != nil {
		t.Errorf("SCPs of the management account = %v; want nil: SCPs do not restrict it", levels)
	}

	if again, v := scps(member); v != version || !reflect.DeepEqual(again, levels) {
		t.Errorf("SCPs again = %v (version %d); want the cached levels, version %d", again, v, version)
	}
	changes := f.changes
	f.must(f.svc.DetachPolicy(f.ctx, mgmt, deny.ID, ou.ID))
	if f.changes == changes {
		t.Error("Changed was not told of DetachPolicy")
	}
	levels, v := scps(member)
	if v == version || !reflect.DeepEqual(levels, [][]string{{full}, {full}, {full}}) {
		t.Errorf("SCPs after DetachPolicy = %q (version %d, before %d); want a new version without the policy", levels, v, version)
	}
	version = v
	f.clock.Advance(scpCacheTTL)
	if _, v := scps(member); v == version {
		t.Errorf("SCPs past the cache's TTL kept version %d; want them read again (another node may have changed them)", v)
	}
}
