package duckdb

import (
	"database/sql/driver"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// The tests of this file pin the bytes of every encoding the store writes
// to disk besides DuckDB's own: the journal (header and records, whose
// rows carry outbox items with their payloads as they are) and metric
// point batches. A change that fails them changes a format that files and
// databases already hold: it needs a new version, and a decoder that
// still reads the old one (whose bytes stay pinned here).

// goldenAppends are the rows of the pinned journal record: an outbox item
// (as enqueue appended it at schema version 7) and a row of every other
// value type.
var goldenAppends = []tableRows{
	{"outbox", [][]driver.Value{{int64(1), "k", "a", "r", "t", []byte{0xca, 0xfe}, int32(2), int64(-3), ""}}},
	{"t", [][]driver.Value{{nil, false, true, 1.5}}},
}

const goldenJournalHeader = "" +
	"18000000" + // length 24: lsn and payload
	"3d8eec83" + // CRC-32C
	"0000000000000000" + // lsn 0: the header
	"564947494c4a4e4c" + // "VIGILJNL"
	"01000000" + // format 1
	"07000000" // schema version 7

const goldenJournalRecord = "" +
	"3a000000" + // length 58
	"b39233fe" + // CRC-32C
	"0100000000000000" + // lsn 1
	"02" + // 2 tables
	"066f7574626f78" + "01" + "09" + // "outbox", 1 row of 9 columns
	"0302" + // int64 1 (zig-zag)
	"06016b" + "060161" + "060172" + "060174" + // strings "k", "a", "r", "t"
	"0702cafe" + // 2 bytes
	"0404" + // int32 2
	"0305" + // int64 -3
	"0600" + // string ""
	"0174" + "01" + "04" + // "t", 1 row of 4 columns
	"00" + "01" + "02" + // NULL, false, true
	"05000000000000f83f" // float64 1.5

// TestJournalGolden pins a journal file of format 1, and checks that it
// and one of format 0 (the same record without a header) still read.
func TestJournalGolden(t *testing.T) {
	payload, ok := encodeAppends(nil, goldenAppends)
	if !ok {
		t.Fatal("cannot encode the golden rows")
	}
	got := hex.EncodeToString(appendRecord(appendHeader(nil, 7), 1, payload))
	if want := goldenJournalHeader + goldenJournalRecord; got != want {
		t.Errorf("journal\n got %s\nwant %s", got, want)
	}
	for _, tc := range []struct {
		file string
		want journalHeader
	}{
		{goldenJournalHeader + goldenJournalRecord, journalHeader{format: 1, schema: 7}},
		{goldenJournalRecord, journalHeader{format: 0}},
	} {
		data, _ := hex.DecodeString(tc.file)
		var rows [][]tableRows
		h, last, err := readJournal(data, 0, func(_ uint64, p []byte) error {
			r, err := decodeAppends(p)
			rows = append(rows, r)
			return err
		})
		if err != nil || h != tc.want || last != 1 || len(rows) != 1 || !reflect.DeepEqual(rows[0], goldenAppends) {
			t.Errorf("format %d: read %+v, lsn %d, %#v, %v; want %+v, lsn 1, the golden rows", tc.want.format, h, last, rows, err, tc.want)
		}
	}
}

// TestJournalRefusesNewerFormat: a journal of a later format is read no
// further than its header; one holding more is refused.
func TestJournalRefusesNewerFormat(t *testing.T) {
	hdr := append([]byte(journalMagic), 2, 0, 0, 0, 9, 0, 0, 0, 0xff)
	data := appendRecord(nil, 0, hdr)
	if h, _, err := readJournal(data, 0, nil); err != nil || h.format != 2 {
		t.Errorf("header of format 2 only: %+v, %v; want format 2 and no error", h, err)
	}
	data = appendRecord(data, 1, []byte("?"))
	if _, _, err := readJournal(data, 0, nil); err == nil || !strings.Contains(err.Error(), "newer Vigil") {
		t.Errorf("records of format 2: %v; want a newer-Vigil error", err)
	}
}

// goldenPoints are the points of the pinned metric point batch: one
// value, an aggregate with a distribution at an earlier time, and one
// value of a unit seen before.
var (
	goldenPointIDs = []int64{5, 300, 5}
	goldenPoints   = []store.MetricPoint{
		{PointValue: store.PointValue{Timestamp: 60_000, Resolution: 60, Unit: "Bytes", Count: 1, Sum: 2, Min: 2, Max: 2}},
		{PointValue: store.PointValue{Timestamp: 1_000, Resolution: 1, Unit: "None", Count: 2, Sum: 3, Min: 1, Max: 2, Dist: []byte{0xab}}},
		{PointValue: store.PointValue{Timestamp: 120_000, Resolution: 60, Unit: "Bytes", Count: 1, Sum: -0.5, Min: -0.5, Max: -0.5}},
	}
)

const goldenBatchPoints = "" +
	"03" + // 3 points
	// metric 5, time +60000 (zig-zag varint), resolution 60, new unit
	// "Bytes", one value 2
	"05" + "c0a907" + "3c" + "00054279746573" + "01" + "0000000000000040" +
	// metric 300, time -59000, resolution 1, new unit "None", an
	// aggregate (count 2, sum 3, min 1, max 2) with a distribution
	"ac02" + "ef9907" + "01" + "00044e6f6e65" + "02" +
	"0000000000000040" + "0000000000000840" + "000000000000f03f" + "0000000000000040" + "01ab" +
	// metric 5, time +119000, resolution 60, unit 1 ("Bytes"), one value
	// -0.5
	"05" + "b0c30e" + "3c" + "01" + "01" + "000000000000e0bf"

// TestPointBatchGolden pins a metric point batch of version 1, and checks
// that it and one of version 0 (the same without the version) decode.
func TestPointBatchGolden(t *testing.T) {
	b, _, _ := encodePoints(goldenPointIDs, goldenPoints)
	if got, want := hex.EncodeToString(b), "0001"+goldenBatchPoints; got != want {
		t.Errorf("batch\n got %s\nwant %s", got, want)
	}
	for _, h := range []string{"0001" + goldenBatchPoints, goldenBatchPoints} {
		data, _ := hex.DecodeString(h)
		got, err := decodeAll(data)
		if err != nil || len(got) != len(goldenPoints) {
			t.Fatalf("decode %s: %d points, %v; want %d", h[:4], len(got), err, len(goldenPoints))
		}
		for i, p := range got {
			if want := (store.StoredPoint{MetricID: goldenPointIDs[i], PointValue: goldenPoints[i].PointValue}); !reflect.DeepEqual(p, want) {
				t.Errorf("decode %s: point %d = %+v; want %+v", h[:4], i, p, want)
			}
		}
	}
	if _, err := decodeAll([]byte{0, 2, 0}); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("batch of version 2: %v; want a version error", err)
	}
}
