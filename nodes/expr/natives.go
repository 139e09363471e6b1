package expr

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/dop251/goja"
	jmespath "github.com/jmespath-community/go-jmespath"
)

// installNatives fills the object of Go helpers the prelude receives.
func (v *vm) installNatives(n *goja.Object) {
	rt := v.rt
	set := func(name string, val any) { _ = n.Set(name, val) }
	str := func(call goja.FunctionCall, i int) string { return call.Argument(i).String() }

	set("throwExt", func(call goja.FunctionCall) goja.Value {
		v.throw(&Error{Kind: KindRuntime, Message: str(call, 0)})
		return nil
	})
	set("memoryLimit", func(goja.FunctionCall) goja.Value {
		rt.Interrupt(memoryError())
		return goja.Undefined()
	})
	props := make([]any, 0, len(unsafeProps))
	for _, k := range sortedKeys(unsafeProps) {
		props = append(props, k)
	}
	set("unsafeProps", rt.NewArray(props...))
	set("maxChars", v.e.opts.MaxMemory/2)
	set("maxElems", v.e.opts.MaxMemory/16)
	set("hash", func(call goja.FunctionCall) goja.Value {
		out, ok := hashString(str(call, 0), str(call, 1))
		if !ok {
			return goja.Undefined()
		}
		return rt.ToValue(out)
	})
	set("base64Encode", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(base64.StdEncoding.EncodeToString([]byte(str(call, 0))))
	})
	set("base64Decode", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(decodeBase64(str(call, 0)))
	})
	set("sentenceCase", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(sentenceCase(str(call, 0)))
	})
	set("transliterate", func(call goja.FunctionCall) goja.Value {
		return rt.ToValue(transliterate(str(call, 0)))
	})
	set("numberFormat", func(call goja.FunctionCall) goja.Value {
		f := call.Argument(0).ToFloat()
		var locales []string
		switch l := call.Argument(1).Export().(type) {
		case string:
			locales = []string{l}
		case []any:
			for _, x := range l {
				if s, ok := x.(string); ok {
					locales = append(locales, s)
				}
			}
		}
		opts := map[string]any{}
		if o, ok := call.Argument(2).(*goja.Object); ok {
			for _, k := range o.Keys() {
				opts[k] = o.Get(k).Export()
			}
		}
		s, err := formatNumber(f, locales, opts)
		if err != nil {
			panic(rt.NewTypeError(err.Error()))
		}
		return rt.ToValue(s)
	})
	set("urlPath", func(call goja.FunctionCall) goja.Value {
		p, ok := urlPathname(str(call, 0))
		if !ok {
			return goja.Undefined()
		}
		return rt.ToValue(p)
	})
	set("jmespath", func(call goja.FunctionCall) goja.Value {
		data, err := v.fromJS(call.Argument(0))
		if err != nil {
			v.throw(err)
		}
		res, err := jmespath.Search(str(call, 1), data)
		if err != nil {
			panic(rt.NewTypeError(err.Error()))
		}
		return v.toJS(res, 0)
	})
}

func hashString(s, alg string) (string, bool) {
	var h hash.Hash
	switch alg {
	case "base64":
		return base64.StdEncoding.EncodeToString([]byte(s)), true
	case "md5":
		h = md5.New()
	case "sha1":
		h = sha1.New()
	case "sha224":
		h = sha256.New224()
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	case "sha3":
		h = sha3.New512()
	default:
		return "", false
	}
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), true
}

// decodeBase64 decodes like js-base64's fromBase64: URL-safe letters are
// accepted, other characters that are not base64 are ignored, padding is
// optional.
func decodeBase64(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '-':
			return '+'
		case r == '_':
			return '/'
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/':
			return r
		}
		return -1
	}, s)
	if len(s)%4 == 1 {
		s = s[:len(s)-1]
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return ""
	}
	return string(b)
}

var schemeRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*:`)

var specialSchemes = map[string]bool{"http": true, "https": true, "ftp": true, "ws": true, "wss": true, "file": true}

// urlPathname returns what `new URL(s).pathname` gives, or false when s is
// not an absolute URL.
func urlPathname(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !schemeRe.MatchString(s) {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", false
	}
	scheme := strings.ToLower(u.Scheme)
	if u.Opaque != "" {
		if specialSchemes[scheme] {
			return "", false
		}
		return u.Opaque, true
	}
	p := u.EscapedPath()
	if specialSchemes[scheme] {
		if u.Host == "" && scheme != "file" {
			return "", false
		}
		if p == "" {
			p = "/"
		}
	}
	return p, true
}

// extensionNames are the method names n8n routes through extend(): the
// union of its string, number, date, array, object and boolean extensions
// and the generic isEmpty/isNotEmpty.
var extensionNames = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range [][]string{
		// string
		{"hash", "removeMarkdown", "removeTags", "toDate", "toDateTime", "toBoolean", "toDecimalNumber",
			"toNumber", "toFloat", "toInt", "toWholeNumber", "toSentenceCase", "toSnakeCase", "toTitleCase",
			"urlDecode", "urlEncode", "quote", "replaceSpecialChars", "length", "isDomain", "isEmail",
			"isNumeric", "isUrl", "isEmpty", "isNotEmpty", "isBlank", "isNotBlank", "toJsonString",
			"extractEmail", "extractDomain", "extractUrl", "extractUrlPath", "parseJson", "base64Encode",
			"base64Decode"},
		// number
		{"ceil", "floor", "format", "round", "abs", "isInteger", "isEven", "isOdd", "toBoolean", "toInt",
			"toFloat", "toDateTime"},
		// date
		{"beginningOf", "endOfMonth", "extract", "isBetween", "isDst", "isInLast", "isWeekend", "minus",
			"plus", "format", "toDateTime", "diffTo", "diffToNow", "toInt", "toFloat", "toBoolean",
			"isEmpty", "isNotEmpty"},
		// array
		{"removeDuplicates", "unique", "first", "last", "pluck", "randomItem", "sum", "min", "max",
			"average", "isNotEmpty", "isEmpty", "compact", "smartJoin", "chunk", "renameKeys", "merge",
			"union", "difference", "intersection", "append", "toJsonString", "toInt", "toFloat", "toBoolean",
			"toDateTime"},
		// object
		{"isEmpty", "isNotEmpty", "hasField", "removeField", "removeFieldsContaining",
			"keepFieldsContaining", "compact", "urlEncode", "keys", "values", "toJsonString", "toInt",
			"toFloat", "toBoolean", "toDateTime"},
		// boolean
		{"toBoolean", "toInt", "toFloat", "toNumber", "toDateTime"},
	} {
		for _, n := range list {
			m[n] = true
		}
	}
	return m
}()

// ExtensionNames returns the names of n8n's extension methods, sorted.
func ExtensionNames() []string {
	out := make([]string, 0, len(extensionNames))
	for k := range extensionNames {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sentenceCase is n8n's toSentenceCase: in each sentence (ended by ".", "!"
// or "?") the first letter is upper-cased and the rest lower-cased.
func sentenceCase(s string) string {
	var out strings.Builder
	cur := []rune(s)
	for {
		i := slices.IndexFunc(cur, unicode.IsLetter)
		if i < 0 {
			break
		}
		next := []rune(strings.ToUpper(string(cur[i])) + strings.ToLower(string(cur[i+1:])))
		cur = append(cur[:i:i], next...)
		p := slices.IndexFunc(cur, func(r rune) bool { return r == '.' || r == '!' || r == '?' })
		if p < 0 {
			out.WriteString(string(cur))
			return out.String()
		}
		out.WriteString(string(cur[:p+1]))
		cur = cur[p+1:]
	}
	out.WriteString(string(cur))
	return out.String()
}
