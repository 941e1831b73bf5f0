package core_test

import (
	"encoding/json"
	"maps"
	"testing"
	"time"

	"github.com/lre-project/lre/core"
)

// jsonEvent is the canonical event as encoding/json writes and reads it:
// what every log record was hashed over before EventBytes stopped using
// reflection, and must stay byte for byte.
type jsonEvent struct {
	Type     core.EventType    `json:"type"`
	URI      string            `json:"uri"`
	NoticeID string            `json:"notice_id"`
	Time     string            `json:"time"`
	Details  map[string]string `json:"details,omitempty"`
}

// FuzzEventBytes checks that EventBytes writes what encoding/json writes
// for any strings (escapes, HTML characters, invalid UTF-8, U+2028), and
// that ParseEventBytes reads any bytes as encoding/json reads them.
func FuzzEventBytes(f *testing.F) {
	f.Add("SubmissionAcceptance", "LRE-AAAA-BBBB-CCCC-DDDD", "recipient", "a@example.org", "sender", "b@example.org", int64(1764000000123456789))
	f.Add("ContentHandover", "LRE-1", "name", "Élise <x> & \"y\" \\ \u2028", "", "", int64(0))
	f.Add("X", "\xff\x00", "k\n", "\t\x7f", "b", "", int64(-5))
	f.Fuzz(func(t *testing.T, typ, id, k1, v1, k2, v2 string, nanos int64) {
		e := core.Event{Type: core.EventType(typ), NoticeID: id, Time: time.Unix(0, nanos), Details: map[string]string{}}
		if k1 != "" || v1 != "" {
			e.Details[k1] = v1
		}
		if k2 != "" {
			e.Details[k2] = v2
		}
		got, err := core.EventBytes(e)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(jsonEvent{Type: e.Type, URI: e.Type.URI(), NoticeID: id, Time: e.Time.UTC().Format(time.RFC3339Nano), Details: e.Details})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("EventBytes\n%s\nencoding/json\n%s", got, want)
		}
		for _, b := range [][]byte{got, []byte(typ + id + k1 + v1), append([]byte(`{"type":"`+typ+`","uri":"`+id+`","notice_id":"`+k1+`","time":"`), v1+`","details":{"`+k2+`":"`+v2+`"}}`...)} {
			compareParse(t, b)
		}
	})
}

// compareParse checks ParseEventBytes against encoding/json on b.
func compareParse(t *testing.T, b []byte) {
	t.Helper()
	ev, err := core.ParseEventBytes(b)
	var want jsonEvent
	jerr := json.Unmarshal(b, &want)
	if jerr == nil {
		wt, terr := time.Parse(time.RFC3339Nano, want.Time)
		jerr = terr
		if terr == nil && !wt.Equal(ev.Time) {
			t.Fatalf("%q: time %v, encoding/json reads %v", b, ev.Time, wt)
		}
	}
	if (err == nil) != (jerr == nil) {
		t.Fatalf("%q: ParseEventBytes error %v, encoding/json %v", b, err, jerr)
	}
	if err != nil {
		return
	}
	if ev.Type != want.Type || ev.NoticeID != want.NoticeID || !maps.Equal(ev.Details, want.Details) || (ev.Details == nil) != (want.Details == nil) {
		t.Fatalf("%q: ParseEventBytes %+v, encoding/json %+v", b, ev, want)
	}
}

// TestParseEventBytesAsJSON runs the cases where a reader by hand is
// most likely to disagree with encoding/json.
func TestParseEventBytesAsJSON(t *testing.T) {
	for _, b := range []string{
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z"}`,
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z","details":{}}`,
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z","details":null}`,
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z","details":{"a":"1","a":"2"}}`,
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z","details":{"a":"1",}}`,
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z","details":{"a":"\u00e9"}}`,
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z"} `,
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z"}x`,
		`{"TYPE":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z"}`,
		`{"uri":"u","type":"A","notice_id":"n","time":"2026-01-02T03:04:05Z"}`,
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z","extra":1}`,
		`{"type":"A","uri":"u","notice_id":"n\xff","time":"2026-01-02T03:04:05Z"}`,
		`{"type":"A","uri":"u","notice_id":"n","time":"yesterday"}`,
		`{"type":"A","uri":"u","notice_id":"n","time":"2026-01-02T03:04:05Z","details":{"a":"1"`,
	} {
		compareParse(t, []byte(b))
	}
}
