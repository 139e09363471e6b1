package persistence

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestParseStrings checks the tags decoder against encoding/json, on what
// SQLite and PostgreSQL write and on what they never do.
func TestParseStrings(t *testing.T) {
	for _, in := range []string{
		`[]`, `["a"]`, `["b","a"]`, `["a", "b c", ""]`, ` [ "x" , "y" ] `, `["é", "\u00e9"]`,
		`["quote \" inside"]`, `["back\\slash"]`, `["a",]`, `["a" "b"]`, `[1]`, `["a"`, `{"a":1}`, `null`, `[,]`,
	} {
		var want []string
		wantErr := json.Unmarshal([]byte(in), &want)
		if want == nil {
			want = []string{}
		}
		got, err := parseStrings([]byte(in))
		if (err != nil) != (wantErr != nil) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Errorf("%s: got %q, %v; encoding/json: %q, %v", in, got, err, want, wantErr)
		}
	}
	if got, err := parseStrings(nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("NULL: %q %v", got, err)
	}
}
