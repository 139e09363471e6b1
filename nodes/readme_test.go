package nodes

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestREADMEListsEveryNodeType keeps the README's table of supported nodes
// equal to the registry. Run with WEFT_UPDATE_README=1 to rewrite it.
func TestREADMEListsEveryNodeType(t *testing.T) {
	const begin, end = "<!-- nodes:begin -->", "<!-- nodes:end -->"
	path := filepath.Join("..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %s … %s section", begin, end)
	}
	want := nodeTable()
	got := doc[i+len(begin) : j]
	if got == want {
		return
	}
	if os.Getenv("WEFT_UPDATE_README") == "1" {
		if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("README.md's node table is out of date with the registry; run WEFT_UPDATE_README=1 go test ./nodes -run TestREADMEListsEveryNodeType\nwant:%s", want)
}

func nodeTable() string {
	var b strings.Builder
	b.WriteString("\n| node | type | versions | runs as |\n|---|---|---|---|\n")
	for _, t := range Types() {
		vs := make([]string, len(t.Versions))
		for i, v := range t.Versions {
			vs[i] = strconv.FormatFloat(v, 'f', -1, 64)
		}
		kind := map[Kind]string{KindPure: "local activity", KindIO: "activity", KindControl: "workflow code"}[t.Kind]
		if t.Trigger {
			kind = "trigger"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", t.DisplayName, t.Name, strings.Join(vs, ", "), kind)
	}
	return b.String()
}
