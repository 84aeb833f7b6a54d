package iam

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strconv"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// reportColumns are the credential report's columns, as AWS writes them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).
var reportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
	"password_next_rotation", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
	"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
}

// reportTime is how the report writes times: 2015-05-12T20:27:35+00:00.
const reportTime = "2006-01-02T15:04:05+00:00"

// reportLifetime is how long a report serves: GenerateCredentialReport
// makes a new one past it, and GetCredentialReport refuses an older one.
const reportLifetime = 4 * time.Hour

// The states of GenerateCredentialReport.
const (
	ReportStarted  = "STARTED"
	ReportComplete = "COMPLETE"
)

// GenerateCredentialReport makes the account's credential report unless
// one younger than four hours exists: STARTED and a description when it
// made one (Vigil makes it at once, so GetCredentialReport has it),
// COMPLETE when the one there serves.
func (s *Service) GenerateCredentialReport(ctx context.Context, account string) (state, description string, err error) {
	now := s.now()
	state = ReportComplete
	err = s.update(ctx, account, func(w store.IAMWriter) error {
		old, err := w.Report()
		if err == nil && now.Sub(old.Generated) < reportLifetime {
			return nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		content, err := credentialReport(w, account)
		if err != nil {
			return err
		}
		state, description = ReportStarted, "No report exists. Starting a new report generation task"
		return w.PutReport(store.IAMReport{Generated: now, Content: content})
	})
	return state, description, err
}

// CredentialReport returns the account's credential report (CSV):
// ReportNotPresent before GenerateCredentialReport, ReportExpired once
// it is older than four hours.
func (s *Service) CredentialReport(ctx context.Context, account string) (*store.IAMReport, error) {
	var r store.IAMReport
	err := s.view(ctx, account, func(rd store.IAMReader) (err error) {
		r, err = rd.Report()
		if errors.Is(err, store.ErrNotFound) {
			return errorf(ReportNotPresent, "The request was rejected because the credential report does not exist. To generate a credential report, use GenerateCredentialReport.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.now().Sub(r.Generated) >= reportLifetime {
		return nil, errorf(ReportExpired, "The request was rejected because the most recent credential report has expired. To generate a new credential report, use GenerateCredentialReport.")
	}
	return &r, nil
}

// credentialReport writes the report: the root's row, then each user's.
func credentialReport(r store.IAMReader, account string) ([]byte, error) {
	a, err := r.Account()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	out := csv.NewWriter(&buf)
	out.Write(reportColumns)
	rootKeys, err := r.AccessKeys(account)
	if err != nil {
		return nil, err
	}
	root := append([]string{"<root_account>", "arn:aws:iam::" + account + ":root", timeOr(a.Created, "N/A"),
		"not_supported", "no_information", "not_supported", "not_supported", "false"}, keyColumns(rootKeys)...)
	out.Write(append(root, certColumns...))
	users, err := r.Entities(store.IAMUser, "/")
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		row, err := userRow(r, a.PasswordPolicy, u)
		if err != nil {
			return nil, err
		}
		out.Write(row)
	}
	out.Flush()
	return buf.Bytes(), out.Error()
}

// certColumns are the columns of signing certificates, which Vigil's
// users have none of.
var certColumns = []string{"false", "N/A", "false", "N/A"}

func userRow(r store.IAMReader, policy *store.IAMPasswordPolicy, u store.IAMEntity) ([]string, error) {
	password := []string{"false", "N/A", "N/A", "N/A"}
	p, err := r.LoginProfile(u.ID)
	switch {
	case err == nil:
		next := passwordExpiry(policy, p)
		if next == "" {
			next = "N/A"
		}
		password = []string{"true", "no_information", p.Changed.Format(reportTime), next}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	mfa, err := r.Links(store.IAMUserMFA, u.ID)
	if err != nil {
		return nil, err
	}
	keys, err := r.AccessKeys(u.ID)
	if err != nil {
		return nil, err
	}
	row := append([]string{u.Name, u.ARN, u.Created.Format(reportTime)}, password...)
	row = append(row, strconv.FormatBool(len(mfa) > 0))
	row = append(row, keyColumns(keys)...)
	return append(row, certColumns...), nil
}

// keyColumns writes the columns of two access keys, oldest first.
func keyColumns(keys []store.IAMAccessKey) []string {
	var out []string
	for i := range 2 {
		if i >= len(keys) {
			out = append(out, "false", "N/A", "N/A", "N/A", "N/A")
			continue
		}
		k := keys[i]
		out = append(out, strconv.FormatBool(k.Active), k.Created.Format(reportTime), timeOr(k.LastUsed, "N/A"),
			stringOr(k.LastRegion, "N/A"), stringOr(k.LastService, "N/A"))
	}
	return out
}

func timeOr(t time.Time, none string) string {
	if t.IsZero() {
		return none
	}
	return t.UTC().Format(reportTime)
}

func stringOr(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
