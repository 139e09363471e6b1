package nodes

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/dlclark/regexp2/v2"
)

// RenameKeys is n8n's Rename Keys node (n8n-nodes-base.renameKeys): it
// moves values to new (possibly nested) keys and renames keys matching
// regular expressions.
type RenameKeys struct{}

func init() { Register(RenameKeys{}) }

// RenameKeysParams are the Rename Keys node's parameters.
type RenameKeysParams struct {
	Keys              RenameKeyList            `json:"keys" doc:"the keys to rename"`
	AdditionalOptions RenameKeysAdditionalOpts `json:"additionalOptions" doc:"additional options"`
}

// RenameKeyList is the keys fixed collection.
type RenameKeyList struct {
	Key []RenameKey `json:"key" doc:"one entry per key to rename, applied in order"`
}

// RenameKey is one key to rename.
type RenameKey struct {
	CurrentKey string `json:"currentKey" doc:"the key's current name; dot notation reaches nested keys"`
	NewKey     string `json:"newKey" doc:"the new name; dot notation creates nested keys"`
}

// RenameKeysAdditionalOpts holds the regex replacement option.
type RenameKeysAdditionalOpts struct {
	RegexReplacement RegexReplacementList `json:"regexReplacement" doc:"rename keys matching regular expressions"`
}

// RegexReplacementList is the regexReplacement fixed collection.
type RegexReplacementList struct {
	Replacements []RegexReplacement `json:"replacements" doc:"one entry per regular expression, applied in order"`
}

// RegexReplacement renames keys matching a JavaScript regular expression.
type RegexReplacement struct {
	SearchRegex  string              `json:"searchRegex" doc:"JavaScript regular expression matched against key names"`
	ReplaceRegex string              `json:"replaceRegex" doc:"replacement for the first match ($1, $<name>, $& ...)"`
	Options      RegexReplacementOpt `json:"options" doc:"options"`
}

// RegexReplacementOpt are a regex replacement's options.
type RegexReplacementOpt struct {
	CaseInsensitive bool     `json:"caseInsensitive" doc:"match regardless of case"`
	Depth           *float64 `json:"depth" doc:"how deep to rename: -1 (default) everywhere, 0 top level only"`
}

// Describe implements Node.
func (RenameKeys) Describe() Description {
	return Description{
		Name:        "n8n-nodes-base.renameKeys",
		DisplayName: "Rename Keys",
		Summary:     "Updates item field names.",
		Versions:    []float64{1},
		Kind:        KindPure,
		Params:      RenameKeysParams{},
	}
}

// Validate implements Node.
func (RenameKeys) Validate(n *NodeInstance) error {
	var p RenameKeysParams
	if err := StaticParams(n, &p); err != nil {
		return ParamErrorf("", "%v", err)
	}
	raw, _ := lookupPath(n.Parameters, "additionalOptions.regexReplacement.replacements")
	entries, _ := raw.([]any)
	for i, r := range p.AdditionalOptions.RegexReplacement.Replacements {
		if i < len(entries) {
			if m, ok := entries[i].(map[string]any); ok && isExprValue(m["searchRegex"]) {
				continue
			}
		}
		if _, err := compileJSRegex(r.SearchRegex, r.Options.CaseInsensitive); err != nil {
			return ParamErrorf("additionalOptions.regexReplacement.replacements", "entry %d: invalid regular expression /%s/: %v", i+1, r.SearchRegex, err)
		}
	}
	return nil
}

// compileJSRegex compiles a JavaScript regular expression.
func compileJSRegex(pattern string, ignoreCase bool) (*regexp2.Regexp, error) {
	opts := regexp2.ECMAScript
	if ignoreCase {
		opts |= regexp2.IgnoreCase
	}
	return regexp2.Compile(pattern, opts, regexp2.OptionMaintainCaptureOrder())
}

// jsReplaceFirst is JavaScript's s.replace(re, replacement) for a regular
// expression without the g flag: the first match is replaced, with $$, $&,
// $`, $', $1..$99 and $<name> expanded.
func jsReplaceFirst(re *regexp2.Regexp, s, replacement string) (string, bool, error) {
	m, err := re.FindStringMatch(s)
	if err != nil || m == nil {
		return s, false, err
	}
	start, length := m.ByteRange()
	var b strings.Builder
	b.WriteString(s[:start])
	groups := m.GroupCount() - 1
	named := hasNamedGroup(re)
	group := func(n int) string {
		g := m.GroupByNumber(n)
		if g == nil || len(g.Captures) == 0 {
			return ""
		}
		return g.String()
	}
	for i := 0; i < len(replacement); i++ {
		c := replacement[i]
		if c != '$' || i+1 >= len(replacement) {
			b.WriteByte(c)
			continue
		}
		next := replacement[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i++
		case next == '&':
			b.WriteString(s[start : start+length])
			i++
		case next == '`':
			b.WriteString(s[:start])
			i++
		case next == '\'':
			b.WriteString(s[start+length:])
			i++
		case next >= '0' && next <= '9':
			if i+2 < len(replacement) && replacement[i+2] >= '0' && replacement[i+2] <= '9' {
				if n, _ := strconv.Atoi(replacement[i+1 : i+3]); n >= 1 && n <= groups {
					b.WriteString(group(n))
					i += 2
					continue
				}
			}
			if n := int(next - '0'); n >= 1 && n <= groups {
				b.WriteString(group(n))
				i++
				continue
			}
			b.WriteByte('$')
		case next == '<' && named:
			end := strings.IndexByte(replacement[i+2:], '>')
			if end < 0 {
				b.WriteByte('$')
				continue
			}
			name := replacement[i+2 : i+2+end]
			if g := m.GroupByName(name); g != nil && len(g.Captures) > 0 {
				b.WriteString(g.String())
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	b.WriteString(s[start+length:])
	return b.String(), true, nil
}

// hasNamedGroup reports whether re has a named capture group.
func hasNamedGroup(re *regexp2.Regexp) bool {
	for _, n := range re.GetGroupNames() {
		if _, err := strconv.Atoi(n); err != nil {
			return true
		}
	}
	return false
}

// Execute implements Node.
func (RenameKeys) Execute(ctx *Context, in [][]Item) ([][]Item, error) {
	items := firstInput(in)
	out := make([]Item, 0, len(items))
	regexes := map[string]*regexp2.Regexp{}
	for i, it := range items {
		var p RenameKeysParams
		if err := ctx.Decode(i, &p); err != nil {
			return nil, err
		}
		src := it.JSON
		if src == nil {
			src = map[string]any{}
		}
		j := CloneJSON(src).(map[string]any)
		for _, k := range p.Keys.Key {
			if k.CurrentKey == "" || k.NewKey == "" || k.CurrentKey == k.NewKey {
				continue
			}
			v, ok := lodashGet(src, k.CurrentKey, true)
			if !ok {
				continue
			}
			lodashSet(j, k.NewKey, CloneJSON(v), true)
			lodashUnset(j, k.CurrentKey, true)
		}
		for _, r := range p.AdditionalOptions.RegexReplacement.Replacements {
			cacheKey := strconv.FormatBool(r.Options.CaseInsensitive) + "/" + r.SearchRegex
			re := regexes[cacheKey]
			if re == nil {
				var err error
				if re, err = compileJSRegex(r.SearchRegex, r.Options.CaseInsensitive); err != nil {
					return nil, NewNodeError("Invalid regular expression: /%s/: %v", r.SearchRegex, err).AtItem(i)
				}
				regexes[cacheKey] = re
			}
			depth := math.NaN()
			if r.Options.Depth != nil {
				depth = *r.Options.Depth
			}
			if err := renameMatchingKeys(j, depth, re, r.ReplaceRegex); err != nil {
				return nil, NewNodeError("%v", err).AtItem(i)
			}
		}
		n := Item{JSON: j, Binary: it.Binary, PairedItem: PairedItems{{Item: i}}}
		out = append(out, n)
	}
	return [][]Item{out}, nil
}

// renameMatchingKeys renames the keys of v matching re, descending into
// nested objects and arrays while depth is not 0 (n8n's renameObjectKeys;
// NaN, from an unset depth, never reaches 0).
func renameMatchingKeys(v any, depth float64, re *regexp2.Regexp, replacement string) error {
	switch x := v.(type) {
	case []any:
		if depth == 0 {
			return nil
		}
		for _, e := range x {
			if err := renameMatchingKeys(e, depth-1, re, replacement); err != nil {
				return err
			}
		}
	case string:
		// for-in over a string visits its character indexes; renaming one
		// fails, as assigning to a string primitive does in strict mode.
		for i := range []rune(x) {
			key := strconv.Itoa(i)
			nk, matched, err := jsReplaceFirst(re, key, replacement)
			if err != nil {
				return err
			}
			if matched && nk != key {
				return NewNodeError("Cannot create property '%s' on string '%s'", nk, x)
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range jsObjectKeyOrder(keys) {
			child, ok := x[k]
			if !ok {
				continue
			}
			switch child.(type) {
			case map[string]any, []any:
				if depth != 0 {
					if err := renameMatchingKeys(child, depth-1, re, replacement); err != nil {
						return err
					}
				}
			}
			nk, matched, err := jsReplaceFirst(re, k, replacement)
			if err != nil {
				return err
			}
			if matched && nk != k {
				x[nk] = x[k]
				delete(x, k)
			}
		}
	}
	return nil
}

var _ Node = RenameKeys{}
