package duckdb

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// lakeColumns are the columns a CloudTrail Lake query sees, by their
// CloudTrail names, as SQL over cloudtrail_lake_events: the record's
// fields, userIdentity as a struct, requestParameters and
// responseElements as JSON text.
var lakeColumns = []struct{ name, sql string }{
	{"eventVersion", `json_extract_string(record, '$.eventVersion')`},
	{"userIdentity", `{'type': NULLIF(user_type, ''), 'principalId': NULLIF(principal_id, ''), 'arn': NULLIF(user_arn, ''),
		'accountId': NULLIF(user_account_id, ''), 'accessKeyId': NULLIF(access_key_id, ''), 'userName': NULLIF(user_name, '')}`},
	{"eventTime", `event_time`},
	{"eventSource", `event_source`},
	{"eventName", `event_name`},
	{"awsRegion", `aws_region`},
	{"sourceIPAddress", `NULLIF(source_ip_address, '')`},
	{"userAgent", `NULLIF(user_agent, '')`},
	{"errorCode", `NULLIF(error_code, '')`},
	{"errorMessage", `NULLIF(error_message, '')`},
	{"requestParameters", `CAST(json_extract(record, '$.requestParameters') AS VARCHAR)`},
	{"responseElements", `CAST(json_extract(record, '$.responseElements') AS VARCHAR)`},
	{"requestID", `NULLIF(request_id, '')`},
	{"eventID", `event_id`},
	{"readOnly", `read_only`},
	{"eventType", `event_type`},
	{"managementEvent", `true`},
	{"recipientAccountId", `recipient_account_id`},
	{"eventCategory", `'Management'`},
}

// lakeFuncs maps the functions of CloudTrail Lake's SQL (Trino's) that
// queries may call to DuckDB's.
var lakeFuncs = map[string]string{
	"count": "count", "sum": "sum", "avg": "avg", "min": "min", "max": "max",
	"approx_distinct": "approx_count_distinct", "count_if": "count_if",
	"lower": "lower", "upper": "upper", "length": "length", "substr": "substr", "substring": "substring",
	"trim": "trim", "ltrim": "ltrim", "rtrim": "rtrim", "replace": "replace", "concat": "concat",
	"strpos": "strpos", "starts_with": "starts_with", "split_part": "split_part",
	"regexp_like": "regexp_matches", "regexp_extract": "regexp_extract", "regexp_replace": "regexp_replace",
	"coalesce": "coalesce", "nullif": "nullif", "abs": "abs", "round": "round", "floor": "floor", "ceil": "ceil",
	"date_trunc": "date_trunc", "date_diff": "date_diff", "year": "year", "month": "month",
	"day": "day", "hour": "hour", "minute": "minute",
	"json_extract_scalar": "json_extract_string", "json_extract": "json_extract",
}

// lakeTypes maps the type names of CAST.
var lakeTypes = map[string]string{
	"varchar": "VARCHAR", "bigint": "BIGINT", "integer": "INTEGER", "int": "INTEGER", "double": "DOUBLE",
	"boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "date": "DATE", "real": "FLOAT",
}

// lakeTable is the event data store as a query's FROM sees it.
func lakeTable(storeID string) string {
	var b strings.Builder
	b.WriteString("(SELECT ")
	for i, c := range lakeColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.sql + ` AS "` + c.name + `"`)
	}
	b.WriteString(" FROM cloudtrail_lake_events WHERE store_id = " + quote(storeID) + ")")
	return b.String()
}

// renderLake writes checked tokens as DuckDB SQL.
func renderLake(tokens []store.LakeToken, storeID string, now int64) (string, error) {
	var b strings.Builder
	for i, t := range tokens {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch t.Kind {
		case store.LakeKeyword, store.LakePunct, store.LakeNumber:
			b.WriteString(t.Text)
		case store.LakeColumn:
			for j, part := range strings.Split(t.Text, ".") {
				if j > 0 {
					b.WriteByte('.')
				}
				b.WriteString(`"` + strings.ReplaceAll(part, `"`, `""`) + `"`)
			}
		case store.LakeFunc:
			f, ok := lakeFuncs[t.Text]
			if !ok {
				return "", fmt.Errorf("BUG: function %q was not checked", t.Text)
			}
			b.WriteString(f)
		case store.LakeString:
			b.WriteString(quote(t.Text))
		case store.LakeTable:
			b.WriteString(lakeTable(storeID))
		case store.LakeNow:
			b.WriteString("TIMESTAMP " + quote(time.UnixMilli(now).UTC().Format("2006-01-02 15:04:05.000")))
		case store.LakeType:
			ty, ok := lakeTypes[strings.ToLower(t.Text)]
			if !ok {
				return "", fmt.Errorf("BUG: type %q was not checked", t.Text)
			}
			b.WriteString(ty)
		default:
			return "", fmt.Errorf("BUG: token kind %d", t.Kind)
		}
	}
	return b.String(), nil
}

// QueryLake runs a checked query and counts what it read: the events of
// the store (EventsScanned) and their record bytes (BytesScanned), and
// those its WHERE holds for (EventsMatched).
func (l lake) QueryLake(ctx context.Context, q store.LakeQuery) (*store.LakeResult, error) {
	query, err := renderLake(q.Statement, q.Store, q.Now)
	if err != nil {
		return nil, err
	}
	conn, err := l.s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot open a connection for a Lake query: %w", err)
	}
	defer conn.Close()
	res := &store.LakeResult{Rows: [][]string{}}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, lakeError(ctx, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, lakeError(ctx, err)
	}
	for i, c := range cols {
		if !plainName(c) { // an expression without an alias: Trino's name
			c = "_col" + strconv.Itoa(i)
		}
		res.Columns = append(res.Columns, c)
	}
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if q.MaxRows > 0 && len(res.Rows) == q.MaxRows {
			return nil, fmt.Errorf("a Lake query returned more than %d rows: %w", q.MaxRows, store.ErrLimit)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, lakeError(ctx, err)
		}
		row := make([]string, len(vals))
		for i, v := range vals {
			row[i] = lakeText(v)
		}
		res.Rows = append(res.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, lakeError(ctx, err)
	}
	rows.Close()
	if err := conn.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(strlen(record)), 0)::BIGINT FROM cloudtrail_lake_events WHERE store_id = ?`,
		q.Store).Scan(&res.EventsScanned, &res.BytesScanned); err != nil {
		return nil, lakeError(ctx, err)
	}
	res.EventsMatched = res.EventsScanned
	if len(q.Matched) > 0 {
		matched, err := renderLake(q.Matched, q.Store, q.Now)
		if err != nil {
			return nil, err
		}
		if err := conn.QueryRowContext(ctx, matched).Scan(&res.EventsMatched); err != nil {
			return nil, lakeError(ctx, err)
		}
	}
	return res, nil
}

// plainName says whether a result column's name is a name, not an
// expression's text.
func plainName(c string) bool {
	if c == "" {
		return false
	}
	for _, r := range c {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// lakeError tells a cancelled query and a statement DuckDB refuses
// (reported to the user) apart.
func lakeError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := err.Error()
	for _, p := range []string{"Binder Error: ", "Conversion Error: ", "Parser Error: ", "Invalid Input Error: ", "Catalog Error: ", "Out of Range Error: "} {
		if i := strings.Index(msg, p); i >= 0 {
			return &store.LakeQueryError{Message: strings.TrimSpace(msg[i:])}
		}
	}
	return fmt.Errorf("cannot run a Lake query: %w", err)
}

// lakeText is a value as GetQueryResults shows it.
func lakeText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []byte:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	case *big.Int:
		return v.String()
	case time.Time:
		return v.UTC().Format("2006-01-02 15:04:05.000")
	case fmt.Stringer:
		return v.String()
	}
	if b, err := json.Marshal(v); err == nil {
		return string(b)
	}
	return fmt.Sprint(v)
}
