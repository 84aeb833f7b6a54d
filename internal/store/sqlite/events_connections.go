package sqlite

import (
	"context"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// EventBridge connections (table events_connections) and API
// destinations (events_api_destinations).

const connectionColumns = `account, region, name, arn, state, definition, created, updated, authorized`

// connectionByName reads a connection by account, region and name.
const connectionByName = `SELECT ` + connectionColumns + ` FROM events_connections WHERE account = ? AND region = ? AND name = ?`

func scanConnection(row scanner) (store.EventConnection, error) {
	var c store.EventConnection
	err := row.Scan(&c.Account, &c.Region, &c.Name, &c.ARN, &c.State, &c.Definition, &c.Created, &c.Updated, &c.Authorized)
	return c, err
}

func (e events) CreateConnection(ctx context.Context, c store.EventConnection) error {
	err := e.s.exec(ctx, "create connection "+c.ARN, `INSERT INTO events_connections (`+connectionColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Account, c.Region, c.Name, c.ARN, c.State, blobOrEmpty(c.Definition), c.Created, c.Updated, c.Authorized)
	if isUnique(err) {
		return fmt.Errorf("connection %s: %w", c.ARN, store.ErrExists)
	}
	return err
}

func (e events) Connection(ctx context.Context, account, region, name string) (*store.EventConnection, error) {
	c, err := one(ctx, e.s, "connection "+name, scanConnection, connectionByName, account, region, name)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (e events) Connections(ctx context.Context, account, region, prefix, state, after string, limit int) ([]store.EventConnection, error) {
	return list(ctx, e.s, "connections", scanConnection, `SELECT `+connectionColumns+` FROM events_connections
		WHERE account = ? AND region = ? AND substr(name, 1, length(?3)) = ?3 AND (?4 = '' OR state = ?4) AND name > ?
		ORDER BY name LIMIT ?`, account, region, prefix, state, after, limitArg(limit))
}

func (e events) UpdateConnection(ctx context.Context, account, region, name string, update func(c *store.EventConnection) error) (*store.EventConnection, error) {
	var out store.EventConnection
	err := wrapOne(e.s.write(ctx, func(tx *Tx) error {
		c, err := txRow(tx, scanConnection, connectionByName, account, region, name)
		if err != nil {
			return err
		}
		if err := update(&c); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE events_connections SET state = ?, definition = ?, updated = ?, authorized = ?
			WHERE account = ? AND region = ? AND name = ?`,
			c.State, blobOrEmpty(c.Definition), c.Updated, c.Authorized, account, region, name); err != nil {
			return err
		}
		out = c
		return nil
	}), "connection "+name)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (e events) DeleteConnection(ctx context.Context, account, region, name string) (*store.EventConnection, error) {
	var out store.EventConnection
	err := wrapOne(e.s.write(ctx, func(tx *Tx) error {
		c, err := txRow(tx, scanConnection, connectionByName, account, region, name)
		if err != nil {
			return err
		}
		out = c
		return txOne(tx, `DELETE FROM events_connections WHERE account = ? AND region = ? AND name = ?`, account, region, name)
	}), "connection "+name)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

const apiDestinationColumns = `account, region, name, arn, connection_arn, definition, created, updated`

// apiDestinationByName reads an API destination by account, region and
// name.
const apiDestinationByName = `SELECT ` + apiDestinationColumns + ` FROM events_api_destinations WHERE account = ? AND region = ? AND name = ?`

func scanAPIDestination(row scanner) (store.EventAPIDestination, error) {
	var d store.EventAPIDestination
	err := row.Scan(&d.Account, &d.Region, &d.Name, &d.ARN, &d.ConnectionARN, &d.Definition, &d.Created, &d.Updated)
	return d, err
}

func (e events) CreateAPIDestination(ctx context.Context, d store.EventAPIDestination) error {
	err := e.s.exec(ctx, "create api destination "+d.ARN, `INSERT INTO events_api_destinations (`+apiDestinationColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		d.Account, d.Region, d.Name, d.ARN, d.ConnectionARN, blobOrEmpty(d.Definition), d.Created, d.Updated)
	if isUnique(err) {
		return fmt.Errorf("api destination %s: %w", d.ARN, store.ErrExists)
	}
	return err
}

func (e events) APIDestination(ctx context.Context, account, region, name string) (*store.EventAPIDestination, error) {
	d, err := one(ctx, e.s, "api destination "+name, scanAPIDestination, apiDestinationByName, account, region, name)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func (e events) APIDestinations(ctx context.Context, account, region, prefix, connectionARN, after string, limit int) ([]store.EventAPIDestination, error) {
	return list(ctx, e.s, "api destinations", scanAPIDestination, `SELECT `+apiDestinationColumns+` FROM events_api_destinations
		WHERE account = ? AND region = ? AND substr(name, 1, length(?3)) = ?3 AND (?4 = '' OR connection_arn = ?4) AND name > ?
		ORDER BY name LIMIT ?`, account, region, prefix, connectionARN, after, limitArg(limit))
}

func (e events) UpdateAPIDestination(ctx context.Context, account, region, name string, update func(d *store.EventAPIDestination) error) (*store.EventAPIDestination, error) {
	var out store.EventAPIDestination
	err := wrapOne(e.s.write(ctx, func(tx *Tx) error {
		d, err := txRow(tx, scanAPIDestination, apiDestinationByName, account, region, name)
		if err != nil {
			return err
		}
		if err := update(&d); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE events_api_destinations SET connection_arn = ?, definition = ?, updated = ?
			WHERE account = ? AND region = ? AND name = ?`,
			d.ConnectionARN, blobOrEmpty(d.Definition), d.Updated, account, region, name); err != nil {
			return err
		}
		out = d
		return nil
	}), "api destination "+name)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (e events) DeleteAPIDestination(ctx context.Context, account, region, name string) error {
	return wrapOne(e.s.write(ctx, func(tx *Tx) error {
		return txOne(tx, `DELETE FROM events_api_destinations WHERE account = ? AND region = ? AND name = ?`, account, region, name)
	}), "api destination "+name)
}
