package sqlite

import (
	"context"

	"github.com/vigilhq/vigil/internal/store"
)

// AnomalyDetectors lists the anomaly detection models of an account and
// region by spec.
func (s *Store) AnomalyDetectors(ctx context.Context, account, region string) ([]store.AnomalyDetector, error) {
	return list(ctx, s, "anomaly detectors", func(row scanner) (d store.AnomalyDetector, err error) {
		err = row.Scan(&d.Spec, &d.Configuration, &d.Created)
		return d, err
	}, `SELECT spec, configuration, created FROM anomaly_detectors WHERE account = ? AND region = ? ORDER BY spec`, account, region)
}

// PutAnomalyDetector creates a model or replaces its configuration.
func (s *Store) PutAnomalyDetector(ctx context.Context, account, region string, d store.AnomalyDetector) error {
	return s.exec(ctx, "store an anomaly detector", `INSERT INTO anomaly_detectors VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET configuration = excluded.configuration`, account, region, d.Spec, d.Configuration, d.Created)
}

// DeleteAnomalyDetector deletes a model, or fails with ErrNotFound.
func (s *Store) DeleteAnomalyDetector(ctx context.Context, account, region, spec string) error {
	return s.execOne(ctx, "anomaly detector", `DELETE FROM anomaly_detectors WHERE account = ? AND region = ? AND spec = ?`, account, region, spec)
}
